import { BridgeDeliveryAbortedError } from '../errors/bridge-errors.js';

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
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
