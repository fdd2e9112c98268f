import { performance } from 'node:perf_hooks';
import { HttpBodyNotReplayableError, HttpRetryAfterTooLongError, HttpStatusError } from '../errors/http-errors.js';
import type { AttemptOutcome, AttemptWrapper, HttpCall } from './attempt-chain.js';
import { retryReasonOf } from './classify-outcome.js';
import { channels } from './diagnostics.js';
import type { MetricsRecorder } from './metrics-recorder.js';
import { computeRetryDelay, parseRetryAfter, type NormalizedRetryPolicy } from './retry-policy.js';

/**
 * Retries an attempt per the policy in effect when the call starts: what is retriable is the
 * classifier's; the method, the budget, `Retry-After`, a consumed stream and the total deadline are
 * checked here. Ends with the last outcome.
 */
export function retryAttempts(policyOf: () => NormalizedRetryPolicy, random: () => number, metrics: MetricsRecorder): AttemptWrapper {
  return (next) => async (call, _attempt, signal, headers) => {
    const policy = policyOf();
    const { request } = call;
    const retryableMethod = policy.retryMethods.has(request.method) || request.headers['idempotency-key'] !== undefined;
    for (let attempt = 1; ; attempt += 1) {
      call.attempts = attempt;
      const outcome = await next(call, attempt, signal, headers);
      const retries = attempt - 1;
      const reason = retryableMethod && retries < policy.maxRetries ? retryReasonOf(outcome, policy) : undefined;
      if (reason === undefined) return outcome;

      let retryAfter: number | undefined;
      if (outcome.kind === 'response' && policy.respectRetryAfter) {
        retryAfter = parseRetryAfter(outcome.response.headers['retry-after'], Date.now());
        if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) {
          // Retrying sooner than the server asked would only be refused again: give up, saying why.
          const error = new HttpRetryAfterTooLongError(request.method, outcome.response, retryAfter, policy.maxRetryAfterMs, { details: { attempts: attempt } });
          return { kind: 'error', error };
        }
      }
      const delayMs = computeRetryDelay(policy, attempt, retryAfter, random);
      if (request.body.kind === 'stream' && call.streamConsumed) {
        const cause = outcome.kind === 'error' ? outcome.error : new HttpStatusError(request.method, outcome.response);
        const error = new HttpBodyNotReplayableError(request.method, call.href, `a retry after ${reason} was needed but the stream was already sent`, {
          cause,
          details: { attempts: attempt },
        });
        return { kind: 'error', error };
      }
      // The total deadline is checked before sleeping: a wait that would outlive it is not started.
      if (call.deadline !== undefined && performance.now() + delayMs >= call.deadline) return outcome;
      metrics.retry();
      if (channels.retry.hasSubscribers) {
        channels.retry.publish({ requestId: call.requestId, method: request.method, url: call.href, attempt, delayMs, reason });
      }
      if (delayMs > 0) {
        const aborted = await sleep(delayMs, call);
        if (aborted !== undefined) return aborted;
      }
    }
  };
}

/** Waits `ms`; resolves with the call's abort outcome when the call is cancelled first. */
function sleep(ms: number, call: HttpCall): Promise<AttemptOutcome | undefined> {
  return new Promise((resolve) => {
    const signal = call.controller?.signal;
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve({ kind: 'error', error: call.abortError(signal?.reason) });
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(undefined);
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
