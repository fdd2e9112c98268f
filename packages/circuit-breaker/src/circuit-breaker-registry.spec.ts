import diagnosticsChannel from 'node:diagnostics_channel';
import {
  CircuitBreakerFailure,
  CircuitBreakerOpenError,
  isProtocolCircuitBreaker,
} from '@onex/spi-types';
import { deferred, flush } from '../../../tools/jest/deferred.js';
import { CIRCUIT_BREAKER_CHANNELS } from './channels.js';
import type { CircuitBreakerConfig } from './circuit-breaker-config.js';
import { CircuitBreakerRegistry } from './circuit-breaker-registry.js';
import type { CircuitStateChangeEvent } from './circuit-events.js';
import { CircuitBreakerTimeoutError } from './errors/circuit-breaker-timeout-error.js';
import { CircuitHalfOpenFullError } from './errors/circuit-half-open-full-error.js';

const boom = (): Promise<never> => Promise.reject(new Error('boom'));
const ok = (): Promise<string> => Promise.resolve('ok');

async function failTimes(registry: CircuitBreakerRegistry, name: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await expect(registry.executeWithCircuitBreaker(boom, name)).rejects.toThrow('boom');
}

describe(CircuitBreakerRegistry, () => {
  let registry: CircuitBreakerRegistry;
  const make = (defaults: CircuitBreakerConfig = {}, extra = {}): CircuitBreakerRegistry =>
    (registry = new CircuitBreakerRegistry({ defaults, ...extra }));

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });

  afterEach(async () => {
    await registry?.close();
    expect(registry.activeTimers).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();
  });

  it('implements every method of ProtocolCircuitBreaker', () => {
    expect(isProtocolCircuitBreaker(make())).toBe(true);
  });

  describe('closed state', () => {
    it('passes values of async and sync operations through and counts them', async () => {
      make();
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).resolves.toBe('ok');
      await expect(registry.executeWithCircuitBreaker(() => 7, 'users')).resolves.toBe(7);
      await expect(registry.executeWithCircuitBreaker(() => undefined, 'users')).resolves.toBeUndefined();
      await expect(
        registry.executeWithCircuitBreaker(() => {
          throw new Error('sync');
        }, 'users'),
      ).rejects.toThrow('sync');
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ state: 'closed', totalCalls: 4, successCount: 3, failureCount: 1, consecutiveFailures: 1 });
    });

    it('opens after failureThreshold consecutive failures and then rejects without calling the operation', async () => {
      make({ failureThreshold: 3, timeoutSeconds: 30 });
      await failTimes(registry, 'users', 2);
      expect(await registry.getCircuitState('users')).toBe('closed');
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');

      jest.advanceTimersByTime(10_000);
      const operation = jest.fn(ok);
      const error = await registry.executeWithCircuitBreaker(operation, 'users').catch((e: unknown) => e);
      expect(operation).not.toHaveBeenCalled();
      expect(error).toBeInstanceOf(CircuitBreakerOpenError);
      expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', circuitName: 'users', retryAfterMs: 20_000 });
      expect((await registry.getCircuitMetrics('users')).rejectionCount).toBe(1);
    });

    it('restarts the failure run after a success', async () => {
      make({ failureThreshold: 2 });
      await failTimes(registry, 'users', 1);
      await registry.executeWithCircuitBreaker(ok, 'users');
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('closed');
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
    });
  });

  describe('open → half-open (lazy: evaluated when the state is read or a call arrives, no timer)', () => {
    it('reads half_open once timeoutSeconds elapsed, with no timer running while open', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 5 });
      await failTimes(registry, 'users', 1);
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(4_999);
      expect(await registry.getCircuitState('users')).toBe('open');
      jest.advanceTimersByTime(1);
      expect(await registry.getCircuitState('users')).toBe('half_open');
      const log = (await registry.getCircuitMetrics('users')).transitionLog;
      expect(log.at(-1)).toEqual({ from: 'open', to: 'half_open', at: 1_005_000, reason: 'timeout_elapsed' });
    });

    it('lets the next call through as a trial once timeoutSeconds elapsed, even if the state was never read', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 5 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(5_000);
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).resolves.toBe('ok');
      expect(await registry.getCircuitState('users')).toBe('closed');
      expect((await registry.getCircuitMetrics('users')).transitionLog.map((t) => `${t.from}>${t.to}:${t.reason}`)).toEqual([
        'closed>open:failure_threshold',
        'open>half_open:timeout_elapsed',
        'half_open>closed:success_threshold',
      ]);
    });

    it('closes after successThreshold consecutive successes in half-open', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 1, successThreshold: 3 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(1_000);
      await registry.executeWithCircuitBreaker(ok, 'users');
      await registry.executeWithCircuitBreaker(ok, 'users');
      expect(await registry.getCircuitState('users')).toBe('half_open');
      expect((await registry.getCircuitMetrics('users')).consecutiveSuccesses).toBe(2);
      await registry.executeWithCircuitBreaker(ok, 'users');
      expect(await registry.getCircuitState('users')).toBe('closed');
    });

    it('reopens on any failure in half-open, for another full timeoutSeconds', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 2, successThreshold: 3 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(2_000);
      await registry.executeWithCircuitBreaker(ok, 'users');
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
      expect((await registry.getCircuitMetrics('users')).transitionLog.at(-1)?.reason).toBe('half_open_failure');
      jest.advanceTimersByTime(1_999);
      expect(await registry.getCircuitState('users')).toBe('open');
      jest.advanceTimersByTime(1);
      expect(await registry.getCircuitState('users')).toBe('half_open');
    });

    it('runs exactly halfOpenMaxConcurrent trials at once and rejects the others fast', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 1, successThreshold: 3, halfOpenMaxConcurrent: 2 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(1_000);
      const trials = [deferred<string>(), deferred<string>()];
      const started: number[] = [];
      const calls = [0, 1, 2, 3].map((i) =>
        registry.executeWithCircuitBreaker(() => {
          started.push(i);
          return trials[i]!.promise;
        }, 'users'),
      );
      await expect(calls[2]).rejects.toBeInstanceOf(CircuitHalfOpenFullError);
      await expect(calls[3]).rejects.toMatchObject({ code: 'CIRCUIT_HALF_OPEN_FULL', circuitName: 'users', maxConcurrent: 2 });
      expect(started).toEqual([0, 1]);
      trials[0]!.resolve('a');
      await expect(calls[0]).resolves.toBe('a');
      // one slot is free again
      const third = deferred<string>();
      const call = registry.executeWithCircuitBreaker(() => third.promise, 'users');
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).rejects.toBeInstanceOf(CircuitHalfOpenFullError);
      trials[1]!.resolve('b');
      third.resolve('c');
      await Promise.all([calls[1], call]);
      expect(await registry.getCircuitState('users')).toBe('closed');
      expect((await registry.getCircuitMetrics('users')).rejectionCount).toBe(3);
    });

    it('bounds a half-open trial that never settles by default: it counts as a failure, reopens the circuit and frees its slot', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 5 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(5_000);
      const stuck = deferred<string>();
      const trial = registry.executeWithCircuitBreaker(() => stuck.promise, 'users');
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).rejects.toBeInstanceOf(CircuitHalfOpenFullError);
      jest.advanceTimersByTime(59_999);
      expect(await registry.getCircuitState('users')).toBe('half_open');
      jest.advanceTimersByTime(1); // the default halfOpenTrialTimeoutSeconds of 60 elapsed
      expect(await registry.getCircuitState('users')).toBe('open');
      let metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ failureCount: 2, timeoutCount: 1, lastFailure: { code: 'CIRCUIT_TIMEOUT' } });
      expect(metrics.transitionLog.at(-1)).toMatchObject({ from: 'half_open', to: 'open', reason: 'half_open_timeout', at: 1_065_000 });
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryAfterMs: 5_000 });

      jest.advanceTimersByTime(5_000); // the next trial gets the freed slot and closes the circuit
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).resolves.toBe('ok');
      expect(await registry.getCircuitState('users')).toBe('closed');

      stuck.resolve('late'); // the caller still gets its value; the circuit ignores the late settlement
      await expect(trial).resolves.toBe('late');
      metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ state: 'closed', successCount: 1, failureCount: 2, consecutiveSuccesses: 0 });
      expect(metrics.latency.count).toBe(2);
    });

    it('ignores the late failure of a trial that outlived halfOpenTrialTimeoutSeconds', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 1, halfOpenTrialTimeoutSeconds: 2 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(1_000);
      const stuck = deferred<string>();
      const trial = registry.executeWithCircuitBreaker(() => stuck.promise, 'users');
      jest.advanceTimersByTime(2_000);
      expect(await registry.getCircuitState('users')).toBe('open');
      jest.advanceTimersByTime(1_000);
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).resolves.toBe('ok');
      stuck.reject(new Error('late'));
      await expect(trial).rejects.toThrow('late');
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ state: 'closed', failureCount: 2, timeoutCount: 1, consecutiveFailures: 0 });
      expect(metrics.lastFailure?.code).toBe('CIRCUIT_TIMEOUT');
    });

    it('keeps a trial that settles within halfOpenTrialTimeoutSeconds and leaves no timer behind', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 1, halfOpenTrialTimeoutSeconds: 2 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(1_000);
      const slow = deferred<string>();
      const trial = registry.executeWithCircuitBreaker(() => slow.promise, 'users');
      jest.advanceTimersByTime(1_999);
      slow.resolve('in time');
      await expect(trial).resolves.toBe('in time');
      expect(await registry.getCircuitState('users')).toBe('closed');
      expect(jest.getTimerCount()).toBe(0);
    });

    it('does not let a call that started before the circuit opened move the new state', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 1 });
      const slow = deferred<string>();
      const pending = registry.executeWithCircuitBreaker(() => slow.promise, 'users');
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(1_000);
      expect(await registry.getCircuitState('users')).toBe('half_open');
      slow.resolve('late');
      await expect(pending).resolves.toBe('late');
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics.state).toBe('half_open');
      expect(metrics.successCount).toBe(1);
    });
  });

  describe('per-call timeout', () => {
    it('rejects with CircuitBreakerTimeoutError, aborts the operation signal and counts a timeout failure', async () => {
      make({ failureThreshold: 2 });
      let seen: AbortSignal | undefined;
      const call = registry.executeWithCircuitBreaker((signal) => {
        seen = signal;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
      }, 'users', { timeoutSeconds: 2 });
      const settled = call.catch((e: unknown) => e);
      jest.advanceTimersByTime(1_999);
      expect(seen?.aborted).toBe(false);
      jest.advanceTimersByTime(1);
      const error = await settled;
      expect(error).toBeInstanceOf(CircuitBreakerTimeoutError);
      expect(error).toMatchObject({ code: 'CIRCUIT_TIMEOUT', circuitName: 'users', timeoutMs: 2_000 });
      expect(seen?.aborted).toBe(true);
      expect(seen?.reason).toBe(error);
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ failureCount: 1, timeoutCount: 1, consecutiveFailures: 1 });
      expect(metrics.lastFailure).toMatchObject({ code: 'CIRCUIT_TIMEOUT' });
    });

    it('uses callTimeoutSeconds by default and lets timeoutSeconds 0 turn it off for one call', async () => {
      make({ callTimeoutSeconds: 1 });
      const a = registry.executeWithCircuitBreaker(() => new Promise(() => undefined), 'users').catch((e: unknown) => e);
      const slow = deferred<string>();
      const b = registry.executeWithCircuitBreaker(() => slow.promise, 'users', { timeoutSeconds: 0 });
      jest.advanceTimersByTime(1_000);
      expect(await a).toBeInstanceOf(CircuitBreakerTimeoutError);
      jest.advanceTimersByTime(60_000);
      slow.resolve('done');
      await expect(b).resolves.toBe('done');
    });

    it('clears its timer when the operation settles first and passes a never-aborting signal without a timeout', async () => {
      make();
      await registry.executeWithCircuitBreaker(ok, 'users', { timeoutSeconds: 30 });
      expect(jest.getTimerCount()).toBe(1); // only the shared bucket-rotation timer
      expect(registry.activeTimers).toBe(1);
      const signal = await registry.executeWithCircuitBreaker((s) => s, 'users');
      expect(signal.aborted).toBe(false);
    });
  });

  describe('failure detection', () => {
    it('passes errors that isFailure excuses to the caller without counting them as failures', async () => {
      make({ failureThreshold: 1, isFailure: (e) => !(e instanceof RangeError) });
      await expect(registry.executeWithCircuitBreaker(() => Promise.reject(new RangeError('404')), 'users')).rejects.toThrow(
        RangeError,
      );
      expect(await registry.getCircuitState('users')).toBe('closed');
      expect(await registry.getCircuitMetrics('users')).toMatchObject({ failureCount: 0, ignoredErrorCount: 1 });
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
    });

    it('always counts CircuitBreakerFailure, even when isFailure excuses every error', async () => {
      make({ failureThreshold: 1, isFailure: () => false });
      await expect(
        registry.executeWithCircuitBreaker(() => Promise.reject(new CircuitBreakerFailure('Service unavailable')), 'users'),
      ).rejects.toBeInstanceOf(CircuitBreakerFailure);
      expect(await registry.getCircuitState('users')).toBe('open');
      expect((await registry.getCircuitMetrics('users')).lastFailure).toEqual({
        at: 1_000_000,
        message: 'Service unavailable',
        code: 'CIRCUIT_FAILURE',
      });
    });

    it('counts the error as a failure when the isFailure predicate itself throws', async () => {
      make({
        failureThreshold: 1,
        isFailure: () => {
          throw new Error('bad predicate');
        },
      });
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
    });

    it('counts a call slower than slowCallDurationSeconds as a failure but still returns its value', async () => {
      make({ failureThreshold: 2, slowCallDurationSeconds: 1 });
      const slowOp = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve(`after ${ms}`), ms));
      const fast = registry.executeWithCircuitBreaker(slowOp(1_000), 'users');
      jest.advanceTimersByTime(1_000);
      await expect(fast).resolves.toBe('after 1000');
      for (let i = 0; i < 2; i++) {
        const slow = registry.executeWithCircuitBreaker(slowOp(1_500), 'users');
        jest.advanceTimersByTime(1_500);
        await expect(slow).resolves.toBe('after 1500');
      }
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ state: 'open', successCount: 1, slowCallCount: 2, failureCount: 2 });
      expect(metrics.lastFailure?.message).toContain('slow-call threshold of 1000 ms');
    });
  });

  describe('percentage mode (opossum rolling window)', () => {
    const config = { errorThresholdPercentage: 50, volumeThreshold: 4, rollingWindowSeconds: 10 };

    it('opens when the error percentage exceeds the threshold once volumeThreshold calls were seen', async () => {
      make(config);
      await registry.executeWithCircuitBreaker(ok, 'users');
      await failTimes(registry, 'users', 2);
      expect(await registry.getCircuitState('users')).toBe('closed'); // 3 calls < volume 4
      await registry.executeWithCircuitBreaker(ok, 'users');
      await failTimes(registry, 'users', 1); // 3 of 5 failed = 60 % > 50 %
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics.state).toBe('open');
      expect(metrics.transitionLog.at(-1)?.reason).toBe('error_percentage');
    });

    it('does not open at exactly the threshold (strict >) and does not need consecutive failures', async () => {
      make(config);
      for (let i = 0; i < 3; i++) {
        await registry.executeWithCircuitBreaker(ok, 'users');
        await failTimes(registry, 'users', 1);
      }
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics.state).toBe('closed');
      expect(metrics.rollingWindow).toEqual({ calls: 6, failures: 3, errorPercentage: 50 });
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
    });

    it('forgets failures that rolled out of the window, rotated by one shared timer', async () => {
      make({ ...config, volumeThreshold: 5 });
      await registry.executeWithCircuitBreaker(ok, 'users');
      await registry.executeWithCircuitBreaker(ok, 'orders');
      expect(registry.activeTimers).toBe(1);
      await failTimes(registry, 'users', 3);
      expect((await registry.getCircuitMetrics('users')).rollingWindow?.failures).toBe(3);
      jest.advanceTimersByTime(10_000);
      expect((await registry.getCircuitMetrics('users')).rollingWindow).toEqual({ calls: 0, failures: 0, errorPercentage: 0 });
      await failTimes(registry, 'users', 4);
      expect(await registry.getCircuitState('users')).toBe('closed'); // 4 calls < volume 5 in the new window
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
    });
  });

  describe('forced states', () => {
    it('keeps a forced-open circuit open past timeoutSeconds until reset', async () => {
      make({ timeoutSeconds: 1 });
      await expect(registry.forceCircuitOpen('users')).resolves.toBe(true);
      jest.advanceTimersByTime(3_600_000);
      expect(await registry.getCircuitState('users')).toBe('open');
      const operation = jest.fn(ok);
      await expect(registry.executeWithCircuitBreaker(operation, 'users')).rejects.toMatchObject({
        code: 'CIRCUIT_OPEN',
        retryAfterMs: 0,
        message: "circuit 'users' is forced open; reset it to allow calls",
      });
      expect(operation).not.toHaveBeenCalled();
      expect((await registry.getCircuitMetrics('users')).forced).toBe(true);
      await registry.resetCircuitBreaker('users');
      await expect(registry.executeWithCircuitBreaker(operation, 'users')).resolves.toBe('ok');
    });

    it('keeps a forced-closed circuit closed whatever fails, until reset', async () => {
      make({ failureThreshold: 1 });
      await failTimes(registry, 'users', 1);
      await registry.forceCircuitClosed('users');
      await failTimes(registry, 'users', 10);
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ state: 'closed', forced: true, consecutiveFailures: 10 });
      await registry.resetCircuitBreaker('users');
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
    });

    it('switches straight from forced open to forced closed and logs both', async () => {
      make();
      await registry.forceCircuitOpen('users');
      await registry.forceCircuitOpen('users');
      await registry.forceCircuitClosed('users');
      const log = (await registry.getCircuitMetrics('users')).transitionLog;
      expect(log.map((t) => `${t.from}>${t.to}:${t.reason}`)).toEqual(['closed>open:forced_open', 'open>closed:forced_closed']);
    });
  });

  describe('reset, configure, remove', () => {
    it('resets to closed, clears the current run and window, and keeps lifetime metrics', async () => {
      make({ failureThreshold: 3 });
      await registry.executeWithCircuitBreaker(ok, 'users');
      await failTimes(registry, 'users', 2);
      await expect(registry.resetCircuitBreaker('users')).resolves.toBe(true);
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ state: 'closed', consecutiveFailures: 0, totalCalls: 3, failureCount: 2, successCount: 1 });
      expect(metrics.rollingWindow?.calls).toBe(0);
      await failTimes(registry, 'users', 2);
      expect(await registry.getCircuitState('users')).toBe('closed');
      await expect(registry.resetCircuitBreaker('nobody')).resolves.toBe(false);
    });

    it('counts calls that settle after a reset or a new window in lifetime metrics, and only current ones in the run', async () => {
      make({ failureThreshold: 2 });
      const beforeReset = deferred<string>();
      const call1 = registry.executeWithCircuitBreaker(() => beforeReset.promise, 'users');
      await registry.resetCircuitBreaker('users');
      const beforeNewWindow = deferred<string>();
      const call2 = registry.executeWithCircuitBreaker(() => beforeNewWindow.promise, 'users');
      const beforeRemoval = deferred<string>();
      const call3 = registry.executeWithCircuitBreaker(() => beforeRemoval.promise, 'other');
      await registry.configureCircuitBreaker('users', { failureThreshold: 2, rollingWindowSeconds: 20 }); // a new opossum instance, same run
      beforeReset.reject(new Error('late'));
      beforeNewWindow.reject(new Error('current'));
      await expect(call1).rejects.toThrow('late');
      await expect(call2).rejects.toThrow('current');
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics).toMatchObject({ state: 'closed', totalCalls: 2, failureCount: 2, consecutiveFailures: 1 });
      expect(metrics.latency.count).toBe(2);
      expect(metrics.lastFailure?.message).toBe('current');
      await registry.removeCircuit('other');
      beforeRemoval.resolve('done');
      await expect(call3).resolves.toBe('done');
    });

    it('creates a circuit from config over the defaults and reconfigures it keeping its state', async () => {
      make({ failureThreshold: 10, timeoutSeconds: 100 });
      await registry.configureCircuitBreaker('users', { failureThreshold: 1 });
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
      await expect(registry.configureCircuitBreaker('users', { timeoutSeconds: 1 })).resolves.toBe(true);
      expect(await registry.getCircuitState('users')).toBe('open');
      jest.advanceTimersByTime(1_000);
      expect(await registry.getCircuitState('users')).toBe('half_open');
      await failTimes(registry, 'users', 1);
      await registry.resetCircuitBreaker('users');
      await failTimes(registry, 'users', 9);
      expect(await registry.getCircuitState('users')).toBe('closed'); // failureThreshold back to the default 10
    });

    it('rejects a bad config without changing the circuit', async () => {
      make();
      await registry.configureCircuitBreaker('users', { failureThreshold: 1 });
      await expect(registry.configureCircuitBreaker('users', { failureThreshold: 3, successThreshold: 0 })).rejects.toMatchObject({
        code: 'CIRCUIT_INVALID_CONFIG',
        message: '`successThreshold` must be a positive integer, got 0',
      });
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
    });

    it('lists every circuit state and removes circuits, shutting their opossum instance down', async () => {
      make({ failureThreshold: 1, errorThresholdPercentage: 50 });
      await registry.executeWithCircuitBreaker(ok, 'a');
      await failTimes(registry, 'b', 1);
      await registry.forceCircuitOpen('c');
      expect(await registry.getAllCircuitStates()).toEqual({ a: 'closed', b: 'open', c: 'open' });
      expect(registry.activeTimers).toBe(1);
      await expect(registry.removeCircuit('a')).resolves.toBe(true);
      await expect(registry.removeCircuit('a')).resolves.toBe(false);
      expect(registry.activeTimers).toBe(0);
      expect(registry.circuitNames()).toEqual(['b', 'c']);
      await expect(registry.getCircuitState('a')).rejects.toMatchObject({ code: 'CIRCUIT_NOT_FOUND' });
    });

    it('refuses work after close', async () => {
      make();
      await registry.executeWithCircuitBreaker(ok, 'a');
      await registry.close();
      expect(registry.size).toBe(0);
      await expect(registry.executeWithCircuitBreaker(ok, 'a')).rejects.toMatchObject({ code: 'CIRCUIT_REGISTRY_CLOSED' });
      await expect(registry.configureCircuitBreaker('a', {})).rejects.toMatchObject({ code: 'CIRCUIT_REGISTRY_CLOSED' });
    });
  });

  describe('metrics and events', () => {
    it('reports latency percentiles over the window, last failure and when the next trial may run', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 30 });
      for (const ms of [10, 20, 30, 40, 1_000]) {
        const call = registry.executeWithCircuitBreaker(() => new Promise((r) => setTimeout(r, ms)), 'users');
        jest.advanceTimersByTime(ms);
        await call;
      }
      const call = registry.executeWithCircuitBreaker(() => new Promise((_, r) => setTimeout(() => r(new Error('down')), 5)), 'users');
      jest.advanceTimersByTime(5);
      await expect(call).rejects.toThrow('down');
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics.latency).toEqual({ count: 6, p50Ms: 20, p95Ms: 1_000, p99Ms: 1_000, maxMs: 1_000 });
      expect(metrics.lastFailure).toEqual({ at: Date.now(), message: 'down' });
      expect(metrics.nextAttemptAt).toBe(Date.now() + 30_000);
    });

    it('keeps a bounded transition log and counts every transition', async () => {
      make({ failureThreshold: 1, timeoutSeconds: 1 }, { transitionLogSize: 2 });
      await failTimes(registry, 'users', 1);
      jest.advanceTimersByTime(1_000);
      await registry.executeWithCircuitBreaker(ok, 'users');
      await registry.forceCircuitOpen('users');
      const metrics = await registry.getCircuitMetrics('users');
      expect(metrics.stateTransitions).toBe(4);
      expect(metrics.transitionLog.map((t) => t.reason)).toEqual(['success_threshold', 'forced_open']);
    });

    it('emits stateChange, rejection and failure events until unsubscribed', async () => {
      make({ failureThreshold: 1 });
      const changes: CircuitStateChangeEvent[] = [];
      const rejections: string[] = [];
      const failures: string[] = [];
      const unsubscribe = registry.on('stateChange', (e) => changes.push(e));
      const onRejection = (e: { error: Error }): void => void rejections.push((e.error as CircuitBreakerOpenError).code);
      registry.on('rejection', onRejection);
      registry.on('failure', (e) => failures.push(`${e.circuitName}:${e.kind}`));
      await failTimes(registry, 'users', 1);
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).rejects.toThrow(CircuitBreakerOpenError);
      expect(changes).toEqual([
        { circuitName: 'users', from: 'closed', to: 'open', at: 1_000_000, reason: 'failure_threshold', forced: false },
      ]);
      expect(rejections).toEqual(['CIRCUIT_OPEN']);
      expect(failures).toEqual(['users:error']);
      unsubscribe();
      expect(registry.off('rejection', onRejection)).toBe(true);
      await registry.resetCircuitBreaker('users');
      await expect(registry.executeWithCircuitBreaker(ok, 'users')).resolves.toBe('ok');
      expect(changes).toHaveLength(1);
      expect(rejections).toHaveLength(1);
    });

    it('publishes to node:diagnostics_channel onex:circuit-breaker:* channels', async () => {
      make({ failureThreshold: 1 });
      const seen: string[] = [];
      const subscribers = Object.entries(CIRCUIT_BREAKER_CHANNELS).map(([key, name]) => {
        const fn = (message: unknown): void => void seen.push(`${key}:${(message as { circuitName: string }).circuitName}`);
        diagnosticsChannel.subscribe(name, fn);
        return [name, fn] as const;
      });
      try {
        await failTimes(registry, 'users', 1);
        await expect(registry.executeWithCircuitBreaker(ok, 'users')).rejects.toThrow(CircuitBreakerOpenError);
        await registry.removeCircuit('users');
      } finally {
        for (const [name, fn] of subscribers) diagnosticsChannel.unsubscribe(name, fn);
      }
      expect(seen).toEqual(['created:users', 'failure:users', 'stateChange:users', 'rejection:users', 'removed:users']);
    });

    it('keeps working when a listener throws, reporting it as a process warning', async () => {
      make({ failureThreshold: 1 });
      const warning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      registry.on('stateChange', () => {
        throw new Error('listener bug');
      });
      await failTimes(registry, 'users', 1);
      expect(await registry.getCircuitState('users')).toBe('open');
      expect(warning).toHaveBeenCalledWith(expect.stringContaining('listener bug'), expect.objectContaining({ code: 'ONEX_CIRCUIT_LISTENER_ERROR' }));
      warning.mockRestore();
    });
  });

  it('runs settled callbacks in order so concurrent failures open the circuit once', async () => {
    make({ failureThreshold: 2 });
    const changes: string[] = [];
    registry.on('stateChange', (e) => changes.push(e.to));
    await Promise.allSettled([1, 2, 3, 4].map(() => registry.executeWithCircuitBreaker(boom, 'users')));
    await flush();
    expect(changes).toEqual(['open']);
    expect((await registry.getCircuitMetrics('users')).failureCount).toBe(4);
  });
});
