import { withTimeout } from './with-timeout.js';

class TestTimeoutError extends Error {}

describe(withTimeout, () => {
  afterEach(() => jest.useRealTimers());

  it('settles like the work when it is in time and leaves no timer behind', async () => {
    jest.useFakeTimers();
    await expect(withTimeout(Promise.resolve(7), 1000, () => new TestTimeoutError())).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000, () => new TestTimeoutError())).rejects.toThrow('boom');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with the factory error at the deadline and aborts the work', async () => {
    jest.useFakeTimers();
    let reason: unknown;
    const result = withTimeout(
      (signal) =>
        new Promise<never>(() => {
          signal.addEventListener('abort', () => (reason = signal.reason));
        }),
      1000,
      () => new TestTimeoutError('late'),
    );
    const caught = result.catch((error: unknown) => error);
    jest.advanceTimersByTime(999);
    expect(reason).toBeUndefined();
    jest.advanceTimersByTime(1);
    const error = await caught;
    expect(error).toBeInstanceOf(TestTimeoutError);
    expect(reason).toBe(error);
  });

  it('turns a synchronous throw into the rejection and clears the timer', async () => {
    jest.useFakeTimers();
    const result = withTimeout(
      () => {
        throw new Error('sync');
      },
      1000,
      () => new TestTimeoutError(),
    );
    expect(jest.getTimerCount()).toBe(0);
    await expect(result).rejects.toThrow('sync');
  });

  it('does not keep the event loop alive with unref', async () => {
    const never = new Promise<never>(() => undefined);
    const timer = jest.spyOn(global, 'setTimeout');
    void withTimeout(never, 60_000, () => new TestTimeoutError(), { unref: true }).catch(() => undefined);
    const handle = timer.mock.results[0]?.value as NodeJS.Timeout;
    timer.mockRestore();
    expect(handle.hasRef()).toBe(false);
    clearTimeout(handle);
  });
});
