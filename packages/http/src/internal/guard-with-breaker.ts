import { CircuitBreakerFailure, type ProtocolCircuitBreaker } from '@onex/spi-types';
import { isHttpError } from '../errors/http-errors.js';
import type { AttemptFn, AttemptOutcome, AttemptWrapper, HttpCall } from './attempt-chain.js';
import { classifyError, classifyOutcome } from './classify-outcome.js';
import type { MetricsRecorder } from './metrics-recorder.js';

/**
 * Runs each attempt through the breaker in effect (none: straight through) as a result filter: the
 * classifier decides whether the attempt is a breaker failure; the caller gets the attempt's own
 * outcome back either way. `ProtocolCircuitBreaker` learns of a failure only by a rejection of its
 * operation, so a failing attempt rejects with a signal (the attempt's error, or a
 * `CircuitBreakerFailure` for a 5xx) while its outcome is kept aside and returned.
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
      if (isHttpError(error)) return { kind: 'error', error };
      if (classifyError(error).circuitRejection) metrics.circuitRejection();
      // The breaker's own errors (open circuit, call timeout, …) surface as they are.
      throw error;
    }
  }
}
