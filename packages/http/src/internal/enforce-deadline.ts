import { HttpAbortedError } from '../errors/http-errors.js';
import type { AttemptFn, AttemptOutcome, AttemptWrapper, HttpCall } from './attempt-chain.js';

/**
 * Gives the whole call (every attempt and every wait of the wrappers inside) one cancellation: the
 * total deadline (`timeoutSeconds`, counted from the call's start) and the caller's `AbortSignal`.
 * A call with neither goes straight through.
 */
export function enforceDeadline(): AttemptWrapper {
  return (next) => (call, attempt, signal, headers) => {
    const { callerSignal } = call;
    if (callerSignal?.aborted) {
      return Promise.resolve({ kind: 'error', error: new HttpAbortedError(call.method, call.href, { cause: callerSignal.reason }) });
    }
    if (callerSignal === undefined && call.totalMs === undefined) return next(call, attempt, signal, headers);
    return withinDeadline(next, call, attempt, signal, headers);
  };
}

async function withinDeadline(
  next: AttemptFn,
  call: HttpCall,
  attempt: number,
  signal: AbortSignal | undefined,
  headers: Readonly<Record<string, string>>,
): Promise<AttemptOutcome> {
  const { callerSignal, totalMs } = call;
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
}
