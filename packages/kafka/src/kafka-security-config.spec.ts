import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProtocolKafkaProducerConfig } from '@onex/spi-types';
import { KafkaClient } from './kafka-client.js';

// PEM material of the workspace's security fixtures (made with openssl, see their README).
const fixtures = path.resolve(__dirname, '../../kafka-extended/test/streams/fixtures');
const pem = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');
const servers = ['127.0.0.1:1'];

async function producerError(config: Record<string, unknown>): Promise<unknown> {
  const client = new KafkaClient({ logLevel: 'nothing' });
  try {
    return await client
      .createProducer({ bootstrapServers: servers, connectionTimeoutMs: 200, retries: 0, enableIdempotence: false, ...config } as unknown as ProtocolKafkaProducerConfig)
      .then(() => new Error('expected a rejection'), (e: unknown) => e);
  } finally {
    await client.close();
  }
}

describe('KafkaClient SSL/SASL options', () => {
  it.each([
    ['a key that is not the certificate’s', { ssl: { cert: pem('cert-a.pem'), key: pem('key-b.pem') } }, '`ssl.key` must be the private key of `ssl.cert`, got <redacted>'],
    ['an unknown ssl option (it was dropped)', { ssl: { cafile: '/etc/ca.pem' } }, '`ssl.cafile` is not an ssl option'],
    ['a CA that is not PEM', { ssl: { ca: 'not a certificate' } }, '`ssl.ca` must be a PEM certificate'],
    ['a certificate without its key', { ssl: { cert: pem('cert-a.pem') } }, '`ssl.key` must be given together with `ssl.cert`'],
    ['a wrong passphrase', { ssl: { cert: pem('cert-a.pem'), key: pem('key-a-encrypted.pem'), passphrase: 'wrong' } }, '`ssl.key` must be a parseable private key'],
  ])('refuses %s when the producer is created, naming the option', async (_what, config, message) => {
    const error = await producerError(config);
    expect(error).toMatchObject({ code: 'KAFKA_INVALID_CONFIG' });
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('PRIVATE KEY');
  });

  it.each([
    ['a matching certificate and key with a CA list', { ssl: { ca: [pem('cert-b.pem')], cert: pem('cert-a.pem'), key: pem('key-a.pem') } }],
    ['SASL without a mechanism (PLAIN) and an empty password, as before', { sasl: { username: 'u', password: '' } }],
  ])('accepts %s: only the connection fails', async (_what, config) => {
    // The control of the cases above: valid settings reach the broker (there is none on port 1).
    expect(await producerError(config)).toMatchObject({ code: 'KAFKA_CONNECTION' });
  });
});
