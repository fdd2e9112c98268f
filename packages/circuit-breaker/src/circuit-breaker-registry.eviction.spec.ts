import diagnosticsChannel from 'node:diagnostics_channel';
import { deferred } from '../../../tools/jest/deferred.js';
import { CIRCUIT_BREAKER_CHANNELS } from './channels.js';
import { CircuitBreakerRegistry } from './circuit-breaker-registry.js';
import type { CircuitBreakerRegistryOptions } from './circuit-breaker-registry-options.js';

const ok = (): Promise<string> => Promise.resolve('ok');
const boom = (): Promise<never> => Promise.reject(new Error('boom'));

describe('CircuitBreakerRegistry idle eviction', () => {
  let registry: CircuitBreakerRegistry;
  const make = (options: CircuitBreakerRegistryOptions = {}): CircuitBreakerRegistry => (registry = new CircuitBreakerRegistry(options));

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });

  afterEach(async () => {
    await registry?.close();
    expect(jest.getTimerCount()).toBe(0);
    jest.useRealTimers();
  });

  it('evicts a closed auto-created circuit with no calls for idleCircuitTtlSeconds when the next circuit is created, and counts it', async () => {
    make({ idleCircuitTtlSeconds: 10 });
    await registry.executeWithCircuitBreaker(ok, 'http://a.example');
    jest.advanceTimersByTime(9_999);
    await registry.executeWithCircuitBreaker(ok, 'http://b.example');
    expect(registry.circuitNames()).toEqual(['http://a.example', 'http://b.example']); // idle for 9,999 ms only
    jest.advanceTimersByTime(2_500);
    await registry.executeWithCircuitBreaker(ok, 'http://c.example');
    expect(registry.circuitNames()).toEqual(['http://b.example', 'http://c.example']);
    expect(registry.registryMetrics()).toEqual({ circuits: 2, evictedCircuits: 1, activeTimers: 1 });
    await expect(registry.getCircuitMetrics('http://a.example')).rejects.toMatchObject({ code: 'CIRCUIT_NOT_FOUND' });
    // an evicted name comes back as a fresh circuit on its next call
    await expect(registry.executeWithCircuitBreaker(ok, 'http://a.example')).resolves.toBe('ok');
    expect((await registry.getCircuitMetrics('http://a.example')).totalCalls).toBe(1);
  });

  it('keeps circuits that had a call within idleCircuitTtlSeconds', async () => {
    make({ idleCircuitTtlSeconds: 10 });
    await registry.executeWithCircuitBreaker(ok, 'a');
    jest.advanceTimersByTime(6_000);
    await registry.executeWithCircuitBreaker(ok, 'a');
    jest.advanceTimersByTime(6_000);
    await registry.executeWithCircuitBreaker(ok, 'b');
    expect(registry.circuitNames()).toEqual(['a', 'b']);
    expect(registry.registryMetrics().evictedCircuits).toBe(0);
  });

  it('never evicts an open, half-open or forced circuit, one with a call in flight, or one that was configured', async () => {
    make({ idleCircuitTtlSeconds: 10, defaults: { failureThreshold: 1, timeoutSeconds: 1 } });
    await expect(registry.executeWithCircuitBreaker(boom, 'open')).rejects.toThrow('boom');
    await expect(registry.executeWithCircuitBreaker(boom, 'half-open')).rejects.toThrow('boom');
    await registry.forceCircuitClosed('forced');
    await registry.executeWithCircuitBreaker(ok, 'configured');
    await registry.configureCircuitBreaker('configured', { failureThreshold: 3 });
    const pending = deferred<string>();
    const inFlight = registry.executeWithCircuitBreaker(() => pending.promise, 'in-flight');
    jest.advanceTimersByTime(1_000);
    expect(await registry.getCircuitState('half-open')).toBe('half_open');
    jest.advanceTimersByTime(60_000);
    await registry.executeWithCircuitBreaker(ok, 'new');
    expect(registry.circuitNames().sort()).toEqual(['configured', 'forced', 'half-open', 'in-flight', 'new', 'open']);
    pending.resolve('done');
    await expect(inFlight).resolves.toBe('done');
    jest.advanceTimersByTime(10_000);
    await registry.executeWithCircuitBreaker(ok, 'newer');
    expect(registry.circuitNames()).not.toContain('in-flight');
    expect(registry.circuitNames()).not.toContain('new');
  });

  it('publishes the eviction on the removed channel with its reason', async () => {
    make({ idleCircuitTtlSeconds: 1 });
    const seen: unknown[] = [];
    const listener = (message: unknown): void => {
      seen.push(message);
    };
    diagnosticsChannel.subscribe(CIRCUIT_BREAKER_CHANNELS.removed, listener);
    try {
      await registry.executeWithCircuitBreaker(ok, 'a');
      jest.advanceTimersByTime(1_000);
      await registry.executeWithCircuitBreaker(ok, 'b');
    } finally {
      diagnosticsChannel.unsubscribe(CIRCUIT_BREAKER_CHANNELS.removed, listener);
    }
    expect(seen).toEqual([{ circuitName: 'a', reason: 'evicted' }]);
  });

  it('evicts nothing with idleCircuitTtlSeconds 0', async () => {
    make({ idleCircuitTtlSeconds: 0 });
    await registry.executeWithCircuitBreaker(ok, 'a');
    jest.setSystemTime(Date.now() + 365 * 86_400_000); // a year later, without running a year of bucket rotations
    await registry.executeWithCircuitBreaker(ok, 'b');
    expect(registry.size).toBe(2);
  });

  it('evicts idle circuits after 300 s by default', async () => {
    make();
    await registry.executeWithCircuitBreaker(ok, 'a');
    jest.advanceTimersByTime(299_999);
    await registry.executeWithCircuitBreaker(ok, 'b');
    expect(registry.size).toBe(2);
    jest.advanceTimersByTime(75_000);
    await registry.executeWithCircuitBreaker(ok, 'c');
    expect(registry.circuitNames()).toEqual(['b', 'c']);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '60'])('rejects idleCircuitTtlSeconds = %p', (value) => {
    expect(() => new CircuitBreakerRegistry({ idleCircuitTtlSeconds: value as number })).toThrow(
      expect.objectContaining({ code: 'CIRCUIT_INVALID_CONFIG', option: 'idleCircuitTtlSeconds' }),
    );
  });
});
