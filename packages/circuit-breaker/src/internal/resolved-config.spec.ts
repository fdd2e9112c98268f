import { CircuitBreakerRegistry } from '../circuit-breaker-registry.js';
import { resolveConfig } from './resolved-config.js';

describe(resolveConfig, () => {
  it('applies the SPI defaults', () => {
    expect(resolveConfig({})).toMatchObject({
      failureThreshold: 5,
      openMs: 60_000,
      successThreshold: 1,
      callTimeoutMs: 0,
      halfOpenMaxConcurrent: 1,
      halfOpenTrialTimeoutMs: 60_000,
      rollingWindowMs: 10_000,
      percentage: undefined,
      slowCallMs: Number.POSITIVE_INFINITY,
    });
  });

  it('turns the consecutive rule off in percentage mode unless failureThreshold is given', () => {
    expect(resolveConfig({ errorThresholdPercentage: 50 })).toMatchObject({
      failureThreshold: Number.POSITIVE_INFINITY,
      percentage: { errorThresholdPercentage: 50, rollingWindowMs: 10_000, volumeThreshold: 10 },
    });
    expect(resolveConfig({ errorThresholdPercentage: 50, failureThreshold: 3 }).failureThreshold).toBe(3);
  });

  it('never rounds a positive duration down to 0 ms', () => {
    expect(resolveConfig({ timeoutSeconds: 0.0001, callTimeoutSeconds: 0.0001 })).toMatchObject({ openMs: 1, callTimeoutMs: 1 });
  });

  it.each([
    ['failureThreshold', 0, '`failureThreshold` must be a positive integer, got 0'],
    ['failureThreshold', 2.5, '`failureThreshold` must be a positive integer, got 2.5'],
    ['timeoutSeconds', -1, '`timeoutSeconds` must be a finite number of seconds > 0 and at most 2147483.647, got -1'],
    ['timeoutSeconds', Number.NaN, '`timeoutSeconds` must be a finite number of seconds > 0 and at most 2147483.647, got NaN'],
    ['timeoutSeconds', 1e9, '`timeoutSeconds` must be a finite number of seconds > 0 and at most 2147483.647, got 1000000000'],
    ['successThreshold', '3', '`successThreshold` must be a positive integer, got "3"'],
    ['callTimeoutSeconds', Infinity, '`callTimeoutSeconds` must be a finite number of seconds >= 0 and at most 2147483.647, got Infinity'],
    ['halfOpenMaxConcurrent', 0, '`halfOpenMaxConcurrent` must be a positive integer, got 0'],
    ['halfOpenTrialTimeoutSeconds', 0, '`halfOpenTrialTimeoutSeconds` must be a finite number of seconds > 0 and at most 2147483.647, got 0'],
    ['errorThresholdPercentage', 100, '`errorThresholdPercentage` must be a number >= 0 and < 100, got 100'],
    ['errorThresholdPercentage', null, '`errorThresholdPercentage` must be a number >= 0 and < 100, got null'],
    ['rollingWindowSeconds', 0, '`rollingWindowSeconds` must be a finite number of seconds > 0 and at most 2147483.647, got 0'],
    ['rollingWindowSeconds', 0.005, '`rollingWindowSeconds` must be at least 0.01 (10 buckets of 1 ms), got 0.005'],
    ['volumeThreshold', -1, '`volumeThreshold` must be a non-negative integer, got -1'],
    ['slowCallDurationSeconds', 0, '`slowCallDurationSeconds` must be a finite number of seconds > 0 and at most 2147483.647, got 0'],
    ['isFailure', true, '`isFailure` must be a function (error) => boolean, got true'],
  ])('rejects %s = %p with a message naming it', (option, value, message) => {
    expect(() => resolveConfig({ [option]: value })).toThrow(expect.objectContaining({ code: 'CIRCUIT_INVALID_CONFIG', option, message }));
  });

  it('rejects a config that is not an object', () => {
    expect(() => resolveConfig([])).toThrow('`config` must be an object, got an array of length 0');
  });
});

describe('CircuitBreakerRegistry options', () => {
  it.each([
    [{ defaults: { failureThreshold: -1 } }, '`defaults.failureThreshold` must be a positive integer, got -1'],
    [{ transitionLogSize: 0 }, '`transitionLogSize` must be an integer from 1 to 100000, got 0'],
    [{ latencyWindowSize: 1.5 }, '`latencyWindowSize` must be an integer from 1 to 1000000, got 1.5'],
    [null, '`options` must be an object, got null'],
    // The one renderer of @onex/spi-types/support: a long string is cut, an array reports its length.
    [{ latencyWindowSize: 'x'.repeat(80) }, `\`latencyWindowSize\` must be an integer from 1 to 1000000, got "${'x'.repeat(60)}…"`],
    [{ transitionLogSize: [1, 2] }, '`transitionLogSize` must be an integer from 1 to 100000, got an array of length 2'],
  ])('rejects %p in the constructor', (options, message) => {
    expect(() => new CircuitBreakerRegistry(options as never)).toThrow(expect.objectContaining({ code: 'CIRCUIT_INVALID_CONFIG', message }));
  });

  it('rejects bad call arguments before running anything', async () => {
    const registry = new CircuitBreakerRegistry();
    await expect(registry.executeWithCircuitBreaker('nope' as never, 'a')).rejects.toThrow(
      '`operation` must be a function (signal) => value | Promise, got "nope"',
    );
    await expect(registry.executeWithCircuitBreaker(() => 1, 'a', { timeoutSeconds: -2 })).rejects.toThrow(
      '`options.timeoutSeconds` must be a number of seconds >= 0 and at most 2147483.647, got -2',
    );
    await expect(registry.getCircuitState(42 as never)).rejects.toThrow('`circuitName` must be a non-empty string, got 42');
    expect(registry.size).toBe(0);
    await registry.close();
  });
});
