import { BridgeDeliveryAbortedError } from '../errors/bridge-errors.js';

/**
 * The waits on one signal. A bridge's deliveries all wait on its one abort signal, often hundreds at a
 * time: one listener per signal and a Set of waiters keeps each wait O(1), where a listener per wait
 * makes every `removeEventListener` walk the signal's list of listeners.
 */
const waiters = new WeakMap<AbortSignal, Set<() => void>>();

function watch(signal: AbortSignal, onAbort: () => void): Set<() => void> {
  let set = waiters.get(signal);
  if (set === undefined) {
    const created = new Set<() => void>();
    set = created;
    waiters.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        waiters.delete(signal);
        for (const waiter of created) waiter();
        created.clear();
      },
      { once: true },
    );
  }
  set.add(onAbort);
  return set;
}

/**
 * Settles with `work`, or rejects with `BridgeDeliveryAbortedError` as soon as `signal` fires. The
 * work itself is not cancelled (the SPI call takes no signal), so its late outcome is swallowed here
 * and the caller must treat the delivery as failed with an unknown outcome.
 * @throws BridgeDeliveryAbortedError when the signal fires first (or has fired already)
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, destination: string): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new BridgeDeliveryAbortedError(destination, signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new BridgeDeliveryAbortedError(destination, signal.reason));
    const set = watch(signal, onAbort);
    work.then(
      (value) => {
        set.delete(onAbort);
        resolve(value);
      },
      (error: unknown) => {
        set.delete(onAbort);
        reject(error);
      },
    );
  });
}
