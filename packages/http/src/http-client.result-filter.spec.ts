import type { ProtocolExecuteOptions } from '@onex/spi-types';
import { FakeCircuitBreaker } from '../test/support/fake-circuit-breaker.js';
import { startServer, type TestServer } from '../test/support/test-server.js';
import { HttpClient } from './http-client.js';

/** The test breaker plus the result filter: a resolved value the filter counts is a failure, and is returned. */
class FilteringBreaker extends FakeCircuitBreaker {
  readonly supportsResultFilter = true;
  readonly filteredResults: unknown[] = [];

  override executeWithCircuitBreaker<T>(
    operation: (signal: AbortSignal) => Promise<T> | T,
    circuitName: string,
    options?: ProtocolExecuteOptions<T>,
  ): Promise<T> {
    const filter = options?.isFailureResult;
    if (filter === undefined) return super.executeWithCircuitBreaker(operation, circuitName);
    let failedResult: { readonly value: T } | undefined;
    const marker = new Error('result counted as a failure');
    return super
      .executeWithCircuitBreaker(async (signal) => {
        const value = await operation(signal);
        if (!filter(value)) return value;
        this.filteredResults.push(value);
        failedResult = { value };
        throw marker;
      }, circuitName)
      .catch((error: unknown) => {
        if (error === marker && failedResult !== undefined) return failedResult.value;
        throw error;
      });
  }
}

describe(HttpClient, () => {
  describe('circuit breaker integration with a breaker that honours isFailureResult', () => {
    let server: TestServer;
    let client: HttpClient;

    beforeEach(async () => {
      server = await startServer(async (req, res) => {
        if (req.url === '/hang') return;
        const status = Number(req.url?.split('/')[1] ?? 200) || 200;
        res.statusCode = status;
        res.end(String(status));
      });
      client = new HttpClient({ headersTimeoutSeconds: 0.1 });
    });

    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('hands a 5xx to the breaker as a resolved response its filter counts, throwing no signal', async () => {
      const breaker = new FilteringBreaker(3);
      await client.configureCircuitBreaker(breaker);
      const response = await client.get(`${server.origin}/502`);
      expect(response).toMatchObject({ statusCode: 502, attempts: 1 });
      expect(response.text()).toBe('502');
      const circuit = breaker.circuits.get(server.origin);
      expect(circuit).toMatchObject({ failures: 1, successes: 0 });
      // The only thing the breaker saw fail is its own marker for the filtered result: no CircuitBreakerFailure.
      expect(circuit?.failureErrors.map((e) => (e as Error).message)).toEqual(['result counted as a failure']);
      expect(breaker.filteredResults).toHaveLength(1);
    });

    it('throws a CircuitBreakerFailure signal to a breaker that does not declare the option (control)', async () => {
      const breaker = new FakeCircuitBreaker(3);
      await client.configureCircuitBreaker(breaker);
      await expect(client.get(`${server.origin}/502`)).resolves.toMatchObject({ statusCode: 502 });
      expect(breaker.circuits.get(server.origin)?.failureErrors).toEqual([
        expect.objectContaining({ code: 'CIRCUIT_FAILURE', details: { statusCode: 502 } }),
      ]);
    });

    it('opens the circuit after three 5xx through the filter, never counts a 4xx, and still counts errors', async () => {
      const breaker = new FilteringBreaker(3);
      await client.configureCircuitBreaker(breaker);
      await client.get(`${server.origin}/404`);
      expect(breaker.circuits.get(server.origin)).toMatchObject({ failures: 0, successes: 1 });
      await expect(client.get(`${server.origin}/hang`)).rejects.toMatchObject({ code: 'HTTP_TIMEOUT_HEADERS' });
      await client.get(`${server.origin}/500`);
      await client.get(`${server.origin}/503`);
      expect(breaker.filteredResults).toHaveLength(2);
      expect(await breaker.getCircuitState(server.origin)).toBe('open');
      await expect(client.get(`${server.origin}/200`)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
      expect((await client.getClientMetrics()).circuitRejections).toBe(1);
    });
  });
});
