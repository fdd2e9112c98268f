import { HttpAbortedError } from '../errors/http-errors.js';
import type { AttemptWrapper } from './attempt-chain.js';

/**
 * Gives the whole call (every attempt and every wait of the wrappers inside) one cancellation: the
 * total deadline (`timeoutSeconds`, counted from the call's start) and the caller's `AbortSignal`.
 */
export function enforceDeadline(): AttemptWrapper {
  return (next) => async (call, attempt, signal, headers) => {
    const { callerSignal, totalMs } = call;
    if (callerSignal?.aborted) return { kind: 'error', error: new HttpAbortedError(call.method, call.href, { cause: callerSignal.reason }) };
    if (callerSignal === undefined && totalMs === undefined) return next(call, attempt, signal, headers);
    const controller = new AbortController();
    call.controller = controller;
    let timer: NodeJS.Timeout | undefined;
    if (totalMs !== undefined) {
      call.deadline = call.startedAt + totalMs;
      timer = setTimeout(() => {
        call.abortReason ??= 'total';
        controller.abort();
      }, totalMs);
    }
    const onCallerAbort = (): void => {
      call.abortReason ??= 'caller';
      controller.abort(callerSignal?.reason);
    };
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      return await next(call, attempt, signal, headers);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  };
}
