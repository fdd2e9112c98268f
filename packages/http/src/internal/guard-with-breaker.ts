import { CircuitBreakerFailure, type ProtocolCircuitBreaker } from '@onex/spi-types';
import { isHttpError } from '../errors/http-errors.js';
import type { AttemptFn, AttemptOutcome, AttemptWrapper, HttpCall } from './attempt-chain.js';
import { classifyError, classifyOutcome } from './classify-outcome.js';
import type { MetricsRecorder } from './metrics-recorder.js';

/** A response the classifier counts as a breaker failure (a 5xx); errors are thrown to the breaker instead. */
function isFailedResponse(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'response' && classifyOutcome(outcome).breakerFailure;
}

const RESULT_FILTER = { isFailureResult: isFailedResponse } as const;

/**
 * Runs each attempt through the breaker in effect (none: straight through) as a result filter: the
 * classifier decides whether the attempt is a breaker failure; the caller gets the attempt's own
 * outcome back either way. An attempt that failed with an error rejects with that error. A failing
 * response (5xx) is handed back resolved, for the breaker's `isFailureResult` to count, when the breaker
 * declares `supportsResultFilter`; a breaker written before that option learns of a failure only by a
 * rejection, so for it the response is kept aside, the operation rejects with a `CircuitBreakerFailure`
 * signal, and the response is returned.
 */
export function guardWithBreaker(breakerOf: () => ProtocolCircuitBreaker | undefined, metrics: MetricsRecorder): AttemptWrapper {
  return (next) => (call, attempt, _signal, headers) => {
    const breaker = breakerOf();
    if (breaker === undefined) return next(call, attempt, undefined, headers);
    return breaker.supportsResultFilter === true
      ? filtered(breaker, next, call, attempt, headers)
      : guarded(breaker, next, call, attempt, headers);
  };

  /** What the breaker's own rejection becomes: a client error back to an outcome, anything else surfaces. */
  function settleRejection(error: unknown): AttemptOutcome {
    if (isHttpError(error)) return { kind: 'error', error };
    if (classifyError(error).circuitRejection) metrics.circuitRejection();
    // The breaker's own errors (open circuit, call timeout, …) surface as they are.
    throw error;
  }

  async function filtered(
    breaker: ProtocolCircuitBreaker,
    next: AttemptFn,
    call: HttpCall,
    attempt: number,
    headers: Readonly<Record<string, string>>,
  ): Promise<AttemptOutcome> {
    try {
      return await breaker.executeWithCircuitBreaker<AttemptOutcome>(
        async (breakerSignal) => {
          const outcome = await next(call, attempt, breakerSignal, headers);
          if (outcome.kind === 'error' && classifyOutcome(outcome).breakerFailure) throw outcome.error;
          return outcome;
        },
        call.request.circuitName,
        RESULT_FILTER,
      );
    } catch (error) {
      return settleRejection(error);
    }
  }

  async function guarded(
    breaker: ProtocolCircuitBreaker,
    next: AttemptFn,
    call: HttpCall,
    attempt: number,
    headers: Readonly<Record<string, string>>,
  ): Promise<AttemptOutcome> {
    let failed: { readonly signal: unknown; readonly outcome: AttemptOutcome } | undefined;
    try {
      return await breaker.executeWithCircuitBreaker(async (breakerSignal) => {
        const outcome = await next(call, attempt, breakerSignal, headers);
        if (!classifyOutcome(outcome).breakerFailure) return outcome;
        const signal =
          outcome.kind === 'error'
            ? outcome.error
            : new CircuitBreakerFailure(`${call.method} ${outcome.response.url} answered ${outcome.response.statusCode}`, {
                details: { statusCode: outcome.response.statusCode },
              });
        failed = { signal, outcome };
        throw signal;
      }, call.request.circuitName);
    } catch (error) {
      if (failed !== undefined && error === failed.signal) return failed.outcome;
      return settleRejection(error);
    }
  }
}
