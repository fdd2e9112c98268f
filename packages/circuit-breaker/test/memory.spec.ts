import v8 from 'node:v8';
import vm from 'node:vm';
import { CircuitBreakerRegistry } from '../src/circuit-breaker-registry.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  for (let i = 0; i < 4; i++) gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers; // latency windows live in ArrayBuffers, outside the JS heap
}

const CIRCUITS = 10_000;

describe('CircuitBreakerRegistry memory', () => {
  it('keeps 10,000 idle circuits small, and removing them frees the memory and every timer', async () => {
    const registry = new CircuitBreakerRegistry({ defaults: { errorThresholdPercentage: 50 } });
    const names = Array.from({ length: CIRCUITS }, (_, i) => `service-${i}`);
    const before = heapUsed();

    for (const name of names) await registry.configureCircuitBreaker(name, { failureThreshold: 3 });
    const configured = heapUsed();

    for (const name of names) await registry.executeWithCircuitBreaker(() => 1, name);
    const used = heapUsed();
    expect(registry.activeTimers).toBe(1); // one shared bucket timer for all 10,000 opossum instances

    for (const name of names) await registry.removeCircuit(name);
    const removed = heapUsed();
    expect(registry.activeTimers).toBe(0);
    expect(registry.size).toBe(0);
    await registry.close();

    const perIdle = (configured - before) / CIRCUITS;
    const perUsed = (used - before) / CIRCUITS;
    const left = (removed - before) / CIRCUITS;
    console.log(
      `memory per circuit: configured, never called ${Math.round(perIdle)} B; after one call ${Math.round(perUsed)} B; after removal ${Math.round(left)} B`,
    );
    expect(perIdle).toBeLessThan(2_048);
    expect(perUsed).toBeLessThan(20_480);
    expect(left).toBeLessThan(256);
  });

  it('stays bounded while 100,000 distinct auto-created circuits (one per origin) come and go', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const origins = 100_000;
      const registry = new CircuitBreakerRegistry({ idleCircuitTtlSeconds: 1 });
      const before = heapUsed();
      let peak = 0;
      for (let i = 0; i < origins; i++) {
        await registry.executeWithCircuitBreaker(() => 1, `http://host-${i}.example:8080`);
        if (i % 100 === 99) jest.advanceTimersByTime(100); // 1,000 new origins per second
        peak = Math.max(peak, registry.size);
      }
      const after = heapUsed();
      const metrics = registry.registryMetrics();
      console.log(`100,000 origins: peak ${peak} live circuits, ${metrics.evictedCircuits} evicted, heap growth ${Math.round((after - before) / 1024)} KiB`);
      expect(peak).toBeLessThanOrEqual(1_600); // idle TTL + one sweep interval of traffic
      expect(metrics.circuits).toBe(registry.size);
      expect(metrics.evictedCircuits).toBe(origins - metrics.circuits);
      expect(after - before).toBeLessThan(32 * 1024 * 1024); // ~1,500 live circuits; 100,000 would take ~900 MB
      await registry.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('grows with every distinct name when eviction is off (control)', async () => {
    const registry = new CircuitBreakerRegistry({ idleCircuitTtlSeconds: 0 });
    for (let i = 0; i < 5_000; i++) await registry.executeWithCircuitBreaker(() => 1, `http://host-${i}.example:8080`);
    expect(registry.size).toBe(5_000);
    await registry.close();
  });
});
