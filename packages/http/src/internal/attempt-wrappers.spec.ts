import { CircuitBreakerFailure } from '@onex/spi-types';
import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { FakeCircuitBreaker } from '../../test/support/fake-circuit-breaker.js';
import { startServer, waitFor, type TestServer } from '../../test/support/test-server.js';
import { composeAttempt, HttpCall, type AttemptOutcome, type AttemptWrapper } from './attempt-chain.js';
import { enforceDeadline } from './enforce-deadline.js';
import { guardWithBreaker } from './guard-with-breaker.js';
import { MetricsRecorder } from './metrics-recorder.js';
import { observeAttempt } from './observe-attempt.js';
import { prepareRequest } from './prepare-request.js';
import { retryAttempts } from './retry-attempts.js';
import { normalizeRetryPolicy, type NormalizedRetryPolicy } from './retry-policy.js';
import { sendAttempt } from './send-attempt.js';

// The public channel names, spelled out: a rename must fail here.
const ATTEMPT_CHANNEL = 'onex:http:request:attempt';
const RETRY_CHANNEL = 'onex:http:request:retry';

/**
 * The wrappers composed over the real core against a loopback server, each guarantee checked in the
 * client's order and, as a control, in an order that breaks it.
 */
describe('per-attempt wrappers', () => {
  let server: TestServer;
  let agent: Agent;
  let metrics: MetricsRecorder;
  let breaker: FakeCircuitBreaker;
  /** Status of each request by its 1-based index; undefined: never answer. */
  let statusOf: (index: number) => number | undefined;

  beforeEach(async () => {
    statusOf = () => 503;
    server = await startServer((_req, res, { index }) => {
      const status = statusOf(index);
      if (status === undefined) return;
      res.statusCode = status;
      res.end(String(status));
    });
    agent = new Agent();
    metrics = new MetricsRecorder(16, 60_000);
    breaker = new FakeCircuitBreaker(10);
  });

  afterEach(async () => {
    jest.useRealTimers();
    await agent.destroy();
    await server.close();
  });

  function run(totalMs: number | undefined, ...wrappers: AttemptWrapper[]): Promise<AttemptOutcome> {
    const core = sendAttempt(agent, { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000, maxResponseSize: 1 << 20 }, metrics, () => false);
    const chain = composeAttempt(core, ...wrappers);
    const request = prepareRequest(
      { method: 'GET', url: server.url, headers: undefined, params: undefined, data: undefined, json: undefined, hasJson: false, circuitName: 'c' },
      undefined,
      {},
    );
    const settings = { totalMs, headersTimeout: undefined, bodyTimeout: undefined, throwOnStatus: false, circuitName: 'c', signal: undefined };
    const call = new HttpCall(1, request, performance.now(), settings, metrics);
    return chain(call, 1, undefined, request.headers);
  }

  const retry = (policy: NormalizedRetryPolicy): AttemptWrapper => retryAttempts(() => policy, () => 0.5, metrics);
  const deadline = enforceDeadline();
  const guard: AttemptWrapper = (next) => guardWithBreaker(() => breaker, metrics)(next);
  const observe = observeAttempt(false);

  describe('the deadline', () => {
    const policy = normalizeRetryPolicy({ maxRetries: 1, backoffFactor: 0.1, retryOnStatusCodes: [503], jitter: 'none' });
    let unsubscribe: (() => void) | undefined;

    afterEach(() => {
      unsubscribe?.();
      unsubscribe = undefined;
    });

    /** First request 503, second never answered; the retry waits 100 ms; the deadline is 300 ms. */
    async function settledAtDeadline(...wrappers: AttemptWrapper[]): Promise<{ settled: () => AttemptOutcome | undefined; finish: () => Promise<void> }> {
      statusOf = (index) => (index === 1 ? 503 : undefined);
      let retries = 0;
      const onRetry = (): void => {
        retries += 1;
      };
      diagnosticsChannel.subscribe(RETRY_CHANNEL, onRetry);
      unsubscribe = () => diagnosticsChannel.unsubscribe(RETRY_CHANNEL, onRetry);
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      let result: AttemptOutcome | undefined;
      const pending = run(300, ...wrappers).then((outcome) => {
        result = outcome;
      });
      // The wait is armed when the retry event is published (not when the server has the first request).
      await waitFor(() => retries > 0);
      await jest.advanceTimersByTimeAsync(100);
      await waitFor(() => server.requests.length === 2);
      await jest.advanceTimersByTimeAsync(200);
      const finish = async (): Promise<void> => {
        await jest.advanceTimersByTimeAsync(1_000);
        await pending;
      };
      return { settled: () => result, finish };
    }

    it('covers every retry and wait: it ends the call 300 ms after its start', async () => {
      const { settled, finish } = await settledAtDeadline(deadline, retry(policy), guard, observe);
      await waitFor(() => settled() !== undefined);
      expect(settled()).toMatchObject({ kind: 'error', error: { code: 'HTTP_TIMEOUT_TOTAL' } });
      await finish();
    });

    it('(control) inside the retry, it restarts with each attempt and the call outlives it', async () => {
      const { settled, finish } = await settledAtDeadline(retry(policy), deadline, guard, observe);
      // Real I/O gets many turns: had the deadline fired, the call would have ended by now.
      for (let i = 0; i < 100; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(settled()).toBeUndefined();
      await finish();
      expect(settled()).toMatchObject({ kind: 'error', error: { code: 'HTTP_TIMEOUT_TOTAL' } });
    });
  });

  describe('the breaker', () => {
    const policy = normalizeRetryPolicy({ maxRetries: 2, backoffFactor: 0, retryOnStatusCodes: [503] });

    it('counts each attempt, and the caller gets the last 5xx back as a response', async () => {
      const outcome = await run(undefined, deadline, retry(policy), guard, observe);
      expect(outcome.kind).toBe('response');
      expect(outcome.kind === 'response' && outcome.response.text()).toBe('503');
      expect(breaker.calls).toEqual(['c', 'c', 'c']);
      const circuit = breaker.circuits.get('c');
      expect(circuit?.failures).toBe(3);
      // The breaker was told by a failure signal; the response itself never travelled as an error.
      for (const signal of circuit?.failureErrors ?? []) {
        expect(signal).toBeInstanceOf(CircuitBreakerFailure);
        expect(signal).not.toHaveProperty('response');
      }
    });

    it('(control) outside the retry, it sees one call however many attempts were made', async () => {
      const outcome = await run(undefined, deadline, guard, retry(policy), observe);
      expect(outcome).toMatchObject({ kind: 'response', response: { statusCode: 503 } });
      expect(server.requests).toHaveLength(3);
      expect(breaker.calls).toEqual(['c']);
    });

    it('counts neither a 4xx nor a 2xx as a failure', async () => {
      statusOf = (index) => (index === 1 ? 404 : 200);
      await run(undefined, deadline, retry(policy), guard, observe);
      await run(undefined, deadline, retry(policy), guard, observe);
      expect(breaker.circuits.get('c')).toMatchObject({ failures: 0, successes: 2 });
    });
  });

  describe('observe', () => {
    const policy = normalizeRetryPolicy({ maxRetries: 2, backoffFactor: 0, retryOnStatusCodes: [503] });
    let seen: number[];
    const onAttempt = (message: unknown): void => {
      seen.push((message as { attempt: number }).attempt);
    };

    beforeEach(() => {
      seen = [];
      diagnosticsChannel.subscribe(ATTEMPT_CHANNEL, onAttempt);
    });

    afterEach(() => {
      diagnosticsChannel.unsubscribe(ATTEMPT_CHANNEL, onAttempt);
    });

    it('records each attempt with its number', async () => {
      await run(undefined, deadline, retry(policy), guard, observe);
      expect(seen).toEqual([1, 2, 3]);
    });

    it('(control) outside the retry, it records the call once', async () => {
      await run(undefined, deadline, observe, retry(policy), guard);
      expect(server.requests).toHaveLength(3);
      expect(seen).toEqual([1]);
    });
  });
});
