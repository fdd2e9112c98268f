import { CircuitBreakerRegistry } from './circuit-breaker-registry.js';
import type { CircuitFailureEvent } from './circuit-events.js';
import { CircuitBreakerArgumentError } from './errors/circuit-breaker-argument-error.js';
import { CircuitBreakerConfigError } from './errors/circuit-breaker-config-error.js';
import { CircuitBreakerTimeoutError } from './errors/circuit-breaker-timeout-error.js';

interface Reply {
  readonly status: number;
}

const reply = (status: number) => (): Promise<Reply> => Promise.resolve({ status });
const serverError = (r: Reply): boolean => r.status >= 500;

describe('CircuitBreakerRegistry result filter (isFailureResult)', () => {
  let registry: CircuitBreakerRegistry;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });

  afterEach(async () => {
    await registry.close();
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();
  });

  it('declares that it honours the result filter', () => {
    registry = new CircuitBreakerRegistry();
    expect(registry.supportsResultFilter).toBe(true);
  });

  it('returns a result the per-call filter counts as a failure unchanged, and opens at failureThreshold', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 2 } });
    const failures: CircuitFailureEvent[] = [];
    registry.on('failure', (e) => failures.push(e));
    const first = { status: 503 };
    await expect(registry.executeWithCircuitBreaker(() => first, 'users', { isFailureResult: serverError })).resolves.toBe(first);
    expect(await registry.getCircuitState('users')).toBe('closed');
    await expect(
      registry.executeWithCircuitBreaker(reply(500), 'users', { isFailureResult: serverError }),
    ).resolves.toEqual({ status: 500 });
    expect(await registry.getCircuitState('users')).toBe('open');
    const metrics = await registry.getCircuitMetrics('users');
    expect(metrics).toMatchObject({ successCount: 0, failureCount: 2, ignoredErrorCount: 0 });
    expect(metrics.lastFailure).toEqual({ at: 1_000_000, message: 'result counted as a failure by isFailureResult' });
    expect(metrics.transitionLog.at(-1)?.reason).toBe('failure_threshold');
    expect(failures.map((e) => [e.kind, e.error, e.result])).toEqual([
      ['result', undefined, first],
      ['result', undefined, { status: 500 }],
    ]);
  });

  it('counts the same results as successes without the filter (control)', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 2 } });
    await registry.executeWithCircuitBreaker(reply(503), 'users');
    await registry.executeWithCircuitBreaker(reply(503), 'users');
    expect(await registry.getCircuitMetrics('users')).toMatchObject({ state: 'closed', successCount: 2, failureCount: 0 });
  });

  it('counts a result the filter passes as a success and restarts the failure run', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 2 } });
    const opts = { isFailureResult: serverError };
    await registry.executeWithCircuitBreaker(reply(503), 'users', opts);
    await registry.executeWithCircuitBreaker(reply(404), 'users', opts);
    await registry.executeWithCircuitBreaker(reply(503), 'users', opts);
    expect(await registry.getCircuitMetrics('users')).toMatchObject({
      state: 'closed',
      successCount: 1,
      failureCount: 2,
      consecutiveFailures: 1,
      rollingWindow: { calls: 3, failures: 2, errorPercentage: (2 / 3) * 100 },
    });
  });

  it('applies the circuit config isFailureResult, and a per-call filter takes its place', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 1 } });
    await registry.configureCircuitBreaker('users', { isFailureResult: (r) => (r as Reply).status >= 500 });
    await expect(registry.executeWithCircuitBreaker(reply(503), 'users', { isFailureResult: () => false })).resolves.toEqual({
      status: 503,
    });
    expect(await registry.getCircuitState('users')).toBe('closed');
    await expect(registry.executeWithCircuitBreaker(reply(503), 'users')).resolves.toEqual({ status: 503 });
    expect(await registry.getCircuitState('users')).toBe('open');
  });

  it('reopens the circuit on a failing result in half-open and closes it on a passing one', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 1, timeoutSeconds: 1 } });
    const opts = { isFailureResult: serverError };
    await registry.executeWithCircuitBreaker(reply(503), 'users', opts);
    jest.advanceTimersByTime(1_000);
    expect(await registry.getCircuitState('users')).toBe('half_open');
    await expect(registry.executeWithCircuitBreaker(reply(502), 'users', opts)).resolves.toEqual({ status: 502 });
    const metrics = await registry.getCircuitMetrics('users');
    expect(metrics.state).toBe('open');
    expect(metrics.transitionLog.at(-1)?.reason).toBe('half_open_failure');
    jest.advanceTimersByTime(1_000);
    await expect(registry.executeWithCircuitBreaker(reply(200), 'users', opts)).resolves.toEqual({ status: 200 });
    expect(await registry.getCircuitState('users')).toBe('closed');
  });

  it('frees the half-open slot of a trial whose result failed, so the next trial runs', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 1, timeoutSeconds: 1, halfOpenTrialTimeoutSeconds: 5 } });
    const opts = { isFailureResult: serverError };
    await registry.executeWithCircuitBreaker(reply(503), 'users', opts);
    jest.advanceTimersByTime(1_000);
    await expect(registry.executeWithCircuitBreaker(reply(503), 'users', opts)).resolves.toEqual({ status: 503 });
    jest.advanceTimersByTime(1_000);
    await expect(registry.executeWithCircuitBreaker(reply(200), 'users', opts)).resolves.toEqual({ status: 200 });
    expect(await registry.getCircuitState('users')).toBe('closed');
  });

  it('returns the failing result of a trial that outlived halfOpenTrialTimeoutSeconds without counting it again', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 1, timeoutSeconds: 10, halfOpenTrialTimeoutSeconds: 1 } });
    const opts = { isFailureResult: serverError };
    await registry.executeWithCircuitBreaker(reply(503), 'users', opts);
    jest.advanceTimersByTime(10_000);
    const late = registry.executeWithCircuitBreaker(
      () => new Promise<Reply>((resolve) => setTimeout(() => resolve({ status: 504 }), 2_000)),
      'users',
      opts,
    );
    jest.advanceTimersByTime(2_000);
    await expect(late).resolves.toEqual({ status: 504 });
    const metrics = await registry.getCircuitMetrics('users');
    // One failure for the first call, one for the trial's bound: the late failing result is not counted.
    expect(metrics).toMatchObject({ state: 'open', failureCount: 2, timeoutCount: 1 });
    expect(metrics.transitionLog.at(-1)?.reason).toBe('half_open_timeout');
  });

  it('keeps timeouts and slow calls as they were: a timeout is still a timeout, a slow passing result still slow', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 10, slowCallDurationSeconds: 1 } });
    const filter = jest.fn(serverError);
    const late = registry.executeWithCircuitBreaker(() => new Promise<Reply>(() => undefined), 'users', {
      timeoutSeconds: 0.5,
      isFailureResult: filter,
    });
    const rejected = expect(late).rejects.toBeInstanceOf(CircuitBreakerTimeoutError);
    jest.advanceTimersByTime(500);
    await rejected;
    const slow = registry.executeWithCircuitBreaker(
      () => new Promise<Reply>((resolve) => setTimeout(() => resolve({ status: 200 }), 1_500)),
      'users',
      { isFailureResult: filter },
    );
    jest.advanceTimersByTime(1_500);
    await expect(slow).resolves.toEqual({ status: 200 });
    expect(filter).toHaveBeenCalledTimes(1);
    expect(await registry.getCircuitMetrics('users')).toMatchObject({ timeoutCount: 1, slowCallCount: 1, failureCount: 2 });
  });

  it('never asks the filter about errors: they go through isFailure as before', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 1, isFailure: () => false } });
    const filter = jest.fn(() => true);
    await expect(
      registry.executeWithCircuitBreaker(() => Promise.reject(new Error('404')), 'users', { isFailureResult: filter }),
    ).rejects.toThrow('404');
    expect(filter).not.toHaveBeenCalled();
    expect(await registry.getCircuitMetrics('users')).toMatchObject({ state: 'closed', ignoredErrorCount: 1 });
  });

  it('counts a call whose filter throws as a failure and rejects with the filter error, as resilience4j does', async () => {
    registry = new CircuitBreakerRegistry({ defaults: { failureThreshold: 1, isFailure: () => false } });
    const broken = new Error('bad filter');
    await expect(
      registry.executeWithCircuitBreaker(reply(200), 'users', {
        isFailureResult: () => {
          throw broken;
        },
      }),
    ).rejects.toBe(broken);
    const metrics = await registry.getCircuitMetrics('users');
    expect(metrics).toMatchObject({ state: 'open', failureCount: 1, ignoredErrorCount: 0 });
    expect(metrics.lastFailure?.message).toBe('bad filter');
  });

  it('refuses a filter that is not a function, per call and in the config', async () => {
    registry = new CircuitBreakerRegistry();
    const operation = jest.fn(reply(200));
    await expect(
      registry.executeWithCircuitBreaker(operation, 'users', { isFailureResult: true as unknown as () => boolean }),
    ).rejects.toThrow(new CircuitBreakerArgumentError('options.isFailureResult', 'a function (result) => boolean', true));
    expect(operation).not.toHaveBeenCalled();
    await expect(registry.configureCircuitBreaker('users', { isFailureResult: 'no' as unknown as () => boolean })).rejects.toThrow(
      CircuitBreakerConfigError,
    );
    await expect(registry.configureCircuitBreaker('users', { isFailureResult: 'no' as unknown as () => boolean })).rejects.toThrow(
      '`isFailureResult` must be a function (result) => boolean, got "no"',
    );
  });
});
