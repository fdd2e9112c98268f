import { CircuitBreakerOpenError } from '@onex/spi-types';
import { FakeCircuitBreaker } from '../test/support/fake-circuit-breaker.js';
import { startServer, type TestServer } from '../test/support/test-server.js';
import { HttpClient } from './http-client.js';

describe(HttpClient, () => {
  describe('circuit breaker integration', () => {
    let server: TestServer;
    let client: HttpClient;
    let breaker: FakeCircuitBreaker;

    beforeEach(async () => {
      server = await startServer(async (req, res) => {
        const status = Number(req.url?.split('/')[1] ?? 200) || 200;
        if (req.url === '/hang') return;
        res.statusCode = status;
        res.end(String(status));
      });
      breaker = new FakeCircuitBreaker(3);
      client = new HttpClient({ headersTimeoutSeconds: 0.1 });
      await expect(client.configureCircuitBreaker(breaker)).resolves.toBe(true);
    });

    afterEach(async () => {
      await client.close();
      await server.close();
    });

    it('runs every attempt through the breaker with the origin as circuit name', async () => {
      await client.configureRetryPolicy({ maxRetries: 2, backoffFactor: 0.001, retryOnStatusCodes: [500] });
      await expect(client.get(`${server.origin}/500`)).resolves.toMatchObject({ statusCode: 500, attempts: 3 });
      expect(breaker.calls).toEqual([server.origin, server.origin, server.origin]);
      expect(breaker.circuits.get(server.origin)?.failures).toBe(3);
    });

    it('uses a per-request circuit name when given', async () => {
      await client.get(`${server.origin}/200`, { circuitName: 'users-api' });
      expect(breaker.calls).toEqual(['users-api']);
    });

    it('counts 5xx, timeouts and connection errors as failures but never 4xx', async () => {
      await client.get(`${server.origin}/404`);
      await client.get(`${server.origin}/429`);
      expect(breaker.circuits.get(server.origin)).toMatchObject({ failures: 0, successes: 2 });

      await client.get(`${server.origin}/502`);
      await expect(client.get(`${server.origin}/hang`)).rejects.toMatchObject({ code: 'HTTP_TIMEOUT_HEADERS' });
      const refused = `http://127.0.0.1:1/`;
      await expect(client.get(refused, { circuitName: 'refused' })).rejects.toMatchObject({ code: 'HTTP_NETWORK' });
      expect(breaker.circuits.get(server.origin)?.failureErrors.map((e) => (e as { code: string }).code)).toEqual([
        'CIRCUIT_FAILURE',
        'HTTP_TIMEOUT_HEADERS',
      ]);
      expect(breaker.circuits.get('refused')?.failures).toBe(1);
    });

    it("surfaces an open circuit as the breaker's own error, without retrying or sending", async () => {
      await client.configureRetryPolicy({ maxRetries: 5, backoffFactor: 0.001, retryOnStatusCodes: [503], retryOnErrorCodes: ['CIRCUIT_OPEN'] });
      // Three 503s open the circuit; the fourth attempt is rejected and that ends the call.
      await expect(client.get(`${server.origin}/503`)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
      expect(server.requests).toHaveLength(3);
      expect(breaker.calls).toHaveLength(4);
      expect(await breaker.getCircuitState(server.origin)).toBe('open');
      const before = server.requests.length;
      const error = await client.get(`${server.origin}/200`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CircuitBreakerOpenError);
      expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', circuitName: server.origin });
      expect(server.requests.length).toBe(before);
      const metrics = await client.getClientMetrics();
      expect(breaker.calls).toHaveLength(5);
      expect(metrics.circuitRejections).toBe(2);
      expect(metrics.byOutcome['circuit_open']).toBe(2);
    });

    it('does not count a caller abort as a failure', async () => {
      await expect(client.get(`${server.origin}/200`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'HTTP_ABORTED' });
      const controller = new AbortController();
      const pending = client.get(`${server.origin}/hang`, { signal: controller.signal, headersTimeoutSeconds: 5 });
      setTimeout(() => controller.abort(), 30);
      await expect(pending).rejects.toMatchObject({ code: 'HTTP_ABORTED' });
      expect(breaker.circuits.get(server.origin)?.failures ?? 0).toBe(0);
    });

    it('hands a 5xx back as the response while the breaker counts it through a signal that does not carry it', async () => {
      const response = await client.get(`${server.origin}/502`);
      expect(response).toMatchObject({ statusCode: 502, attempts: 1 });
      expect(response.text()).toBe('502');
      const [signal] = breaker.circuits.get(server.origin)?.failureErrors ?? [];
      expect(signal).toMatchObject({ code: 'CIRCUIT_FAILURE', details: { statusCode: 502 } });
      expect(signal).not.toHaveProperty('response');
    });

    it('rejects something that is not a breaker', async () => {
      await expect(client.configureCircuitBreaker({} as never)).rejects.toMatchObject({ code: 'HTTP_INVALID_OPTION' });
    });
  });
});
