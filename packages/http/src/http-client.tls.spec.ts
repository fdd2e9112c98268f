import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HttpClient } from './http-client.js';

describe(HttpClient, () => {
  describe('https with TLS options', () => {
    let dir: string;
    let cert: string;
    let server: https.Server;
    let origin: string;

    beforeAll(async () => {
      // A throw-away self-signed certificate for 127.0.0.1 (openssl CLI).
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onex-http-tls-'));
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
        res.end(`secure ${req.url}`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('trusts a server certificate given as tls.ca', async () => {
      const client = new HttpClient({ tls: { ca: cert } });
      try {
        await expect(client.get(`${origin}/ok`)).resolves.toMatchObject({ statusCode: 200 });
        expect((await client.get(`${origin}/again`)).text()).toBe('secure /again');
      } finally {
        await client.close();
      }
    });

    it('rejects an untrusted certificate with HTTP_NETWORK naming the TLS error', async () => {
      const client = new HttpClient();
      try {
        await expect(client.get(`${origin}/ok`)).rejects.toMatchObject({
          code: 'HTTP_NETWORK',
          errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        });
      } finally {
        await client.close();
      }
    });
  });
});
