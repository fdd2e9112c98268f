/** Options of {@link withTimeout}. */
export interface WithTimeoutOptions {
  /** Let the process exit while only this timer is pending. @default false */
  readonly unref?: boolean;
}

/**
 * Settles like `work`, or rejects with `onTimeout()` when `work` has not settled within `timeoutMs`; the
 * timer is cleared as soon as either happens, so nothing fires later. When `work` is a function it is called
 * with a signal that aborts (with the timeout error as its reason) when the time is up, so it can stop;
 * a synchronous throw becomes the rejection.
 */
export function withTimeout<T>(
  work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T> | T),
  timeoutMs: number,
  onTimeout: () => Error,
  options: WithTimeoutOptions = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = typeof work === 'function' ? new AbortController() : undefined;
    const timer = setTimeout(() => {
      const error = onTimeout();
      controller?.abort(error);
      reject(error);
    }, timeoutMs);
    if (options.unref === true) timer.unref();
    let pending: PromiseLike<T> | T;
    try {
      pending = controller === undefined ? (work as PromiseLike<T>) : (work as (signal: AbortSignal) => PromiseLike<T> | T)(controller.signal);
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    Promise.resolve(pending).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
