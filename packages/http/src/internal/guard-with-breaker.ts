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
    return breaker === undefined ? next(call, attempt, undefined, headers) : guarded(breaker, next, call, attempt, headers);
  };

  async function guarded(
    breaker: ProtocolCircuitBreaker,
    next: AttemptFn,
    call: HttpCall,
    attempt: number,
    headers: Readonly<Record<string, string>>,
  ): Promise<AttemptOutcome> {
    const filters = breaker.supportsResultFilter === true;
    let failed: { readonly signal: CircuitBreakerFailure; readonly outcome: AttemptOutcome } | undefined;
    try {
      return await breaker.executeWithCircuitBreaker<AttemptOutcome>(
        async (breakerSignal) => {
          const outcome = await next(call, attempt, breakerSignal, headers);
          if (outcome.kind === 'error') {
            if (classifyOutcome(outcome).breakerFailure) throw outcome.error;
            return outcome;
          }
          // The breaker's result filter classifies the response itself.
          if (filters || !classifyOutcome(outcome).breakerFailure) return outcome;
          const signal = new CircuitBreakerFailure(`${call.method} ${outcome.response.url} answered ${outcome.response.statusCode}`, {
            details: { statusCode: outcome.response.statusCode },
          });
          failed = { signal, outcome };
          throw signal;
        },
        call.request.circuitName,
        filters ? RESULT_FILTER : undefined,
      );
    } catch (error) {
      if (failed !== undefined && error === failed.signal) return failed.outcome;
      if (isHttpError(error)) return { kind: 'error', error };
      if (classifyError(error).circuitRejection) metrics.circuitRejection();
      // The breaker's own errors (open circuit, call timeout, …) surface as they are.
      throw error;
    }
  }
}
