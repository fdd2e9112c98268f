import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kafka } from 'kafkajs';
import { KafkaExtended, type KafkaExtendedAuthenticationError } from '../../src/index.js';
import { kafkaBrokers, kafkaSaslBrokers, uniqueName } from '../../../../tools/jest/kafka-env.js';
import { createTopics, produceInputs, rawKafka, readTopic } from './kafka-test-utils.js';

const root = path.resolve(__dirname, '../../../..');
const fixture = (name: string): string => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

interface PrivateBroker {
  readonly brokers: string[];
  readonly saslBrokers: string[];
  stop(): Promise<void>;
}

describe(`${KafkaExtended.name}.configureKafkaSecurity`, () => {
  let saslBrokers: string[];
  let plainBrokers: string[];
  let privateBroker: PrivateBroker | undefined;
  let kafka: Kafka;
  const probeTopic = uniqueName('sasl-probe');
  const instances: KafkaExtended[] = [];
  const make = (): KafkaExtended => {
    const instance = new KafkaExtended({ bootstrapServers: saslBrokers, clientId: 'security-spec', connectionTimeoutMs: 3_000 });
    instances.push(instance);
    return instance;
  };

  beforeAll(async () => {
    const shared = kafkaSaslBrokers();
    if (shared) {
      saslBrokers = shared;
      plainBrokers = kafkaBrokers();
    } else {
      // A user's own cluster without the SASL listener: prove SASL against a private broker instead of skipping.
      const { startBroker } = (await import(pathToFileURL(path.join(root, 'tools/kafka/broker.mjs')).href)) as { startBroker(): Promise<PrivateBroker> };
      privateBroker = await startBroker();
      saslBrokers = privateBroker.saslBrokers;
      plainBrokers = privateBroker.brokers;
    }
    kafka = rawKafka(plainBrokers);
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [probeTopic], 1);
    await admin.disconnect();
  }, 180_000);

  afterEach(async () => {
    await Promise.all(instances.splice(0).map((i) => i.close()));
  });

  afterAll(async () => {
    await privateBroker?.stop();
  });

  it.each([
    ['plain', 'alice', 'alice-secret'],
    ['plain', 'admin', 'admin-secret'],
    ['scram-sha-256', 'alice', 'alice-secret'],
    ['scram-sha-512', 'alice', 'alice-secret'],
  ] as const)('authenticates with SASL %s as %s against the SASL listener', async (mechanism, username, password) => {
    const extended = make();
    await expect(extended.configureKafkaSecurity({ sasl: { mechanism, username, password } }, { verify: true })).resolves.toBe(true);
    const diagnostics = await extended.getKafkaDiagnostics({ topic: probeTopic });
    expect(diagnostics.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(saslBrokers);
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('rejects a wrong %s password with a typed authentication error and keeps the previous settings', async (mechanism) => {
    const extended = make();
    await extended.configureKafkaSecurity({ sasl: { mechanism, username: 'alice', password: 'alice-secret' } });
    const error = (await extended
      .configureKafkaSecurity({ sasl: { mechanism, username: 'alice', password: 'wrong' } }, { verify: true })
      .catch((e: unknown) => e)) as KafkaExtendedAuthenticationError;
    expect(error.name).toBe('KafkaExtendedAuthenticationError');
    expect(error.code).toBe('KAFKAX_AUTHENTICATION');
    expect(error.message).toMatch(new RegExp(`^authentication to ${saslBrokers.join(',')} failed: .*(invalid credentials|Authentication failed)`, 'i'));
    expect((error.cause as Error).name).toBe('KafkaJSSASLAuthenticationError');
    await expect(extended.getKafkaDiagnostics({ topic: probeTopic })).resolves.toMatchObject({ brokers: [expect.anything()] });
  });

  it('applies to clients created afterwards: wrong credentials without verify fail the next admin call', async () => {
    const extended = make();
    await extended.configureKafkaSecurity({ sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'nope' } });
    await expect(extended.getKafkaDiagnostics()).rejects.toMatchObject({ name: 'KafkaExtendedAuthenticationError', code: 'KAFKAX_AUTHENTICATION' });
    await extended.configureKafkaSecurity({ sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' } });
    await expect(extended.getKafkaDiagnostics({ topic: probeTopic })).resolves.toBeDefined();
  });

  it('runs a stream processor over SASL/SCRAM-SHA-512 with the configured security', async () => {
    const input = uniqueName('sasl-in');
    const output = uniqueName('sasl-out');
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [input, output], 1);
    await admin.disconnect();
    await produceInputs(kafka, input, ['one', 'two', 'three']);
    const extended = make();
    await extended.configureKafkaSecurity({ sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' } });
    const id = await extended.createStreamProcessor({ applicationId: uniqueName('sasl-app'), bootstrapServers: saslBrokers, processingGuarantee: 'exactly_once' });
    await extended.processKafkaStream(id, [input], output, (record) => ({ value: `${Buffer.from(record.value as Uint8Array).toString()}!` }));
    const records = await readTopic(kafka, output, (r) => r.length >= 3);
    expect(records.map((r) => r.value)).toEqual(['one!', 'two!', 'three!']);
  });

  it('fails to start a processor whose own SASL credentials are wrong, with a typed error', async () => {
    const extended = make();
    const id = await extended.createStreamProcessor({
      applicationId: uniqueName('sasl-bad'),
      bootstrapServers: saslBrokers,
      sasl: { mechanism: 'plain', username: 'alice', password: 'bad' },
    });
    await expect(extended.processKafkaStream(id, [uniqueName('in')], uniqueName('out'), () => null)).rejects.toMatchObject({ code: 'KAFKAX_AUTHENTICATION' });
    expect((await extended.getStreamProcessorStatus(id)).state).toMatchObject({ kind: 'failed', error: { code: 'KAFKAX_AUTHENTICATION' } });
  });

  it('reports an OAUTHBEARER attempt the listener does not enable as an authentication error', async () => {
    const extended = make();
    const error = await extended
      .configureKafkaSecurity({ sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: 'token' }) } }, { verify: true })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KAFKAX_AUTHENTICATION' });
  });

  describe('validation', () => {
    it('accepts SSL with a CA, a matching certificate and key (also an encrypted key), and rejectUnauthorized', async () => {
      const extended = make();
      await expect(extended.configureKafkaSecurity({ ssl: true })).resolves.toBe(true);
      await expect(
        extended.configureKafkaSecurity({ ssl: { ca: [fixture('cert-b.pem')], cert: fixture('cert-a.pem'), key: fixture('key-a.pem'), rejectUnauthorized: false } }),
      ).resolves.toBe(true);
      await expect(
        extended.configureKafkaSecurity({ ssl: { cert: fixture('cert-a.pem'), key: fixture('key-a-encrypted.pem'), passphrase: 'secret' } }),
      ).resolves.toBe(true);
    });

    it.each([
      ['a CA that is not PEM', { ssl: { ca: 'not a pem' } }, '`securityConfig.ssl.ca` must be a PEM certificate (-----BEGIN CERTIFICATE-----), got "not a pem"'],
      ['a CA that does not parse', { ssl: { ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' } }, '`securityConfig.ssl.ca` must be a parseable PEM certificate'],
      ['a certificate without key', { ssl: { cert: fixture('cert-a.pem') } }, '`securityConfig.ssl.key` must be given together with `securityConfig.ssl.cert`, got undefined'],
      ['a key of another certificate', { ssl: { cert: fixture('cert-a.pem'), key: fixture('key-b.pem') } }, '`securityConfig.ssl.key` must be the private key of `securityConfig.ssl.cert`, got <redacted>'],
      ['an encrypted key with the wrong passphrase', { ssl: { cert: fixture('cert-a.pem'), key: fixture('key-a-encrypted.pem'), passphrase: 'wrong' } }, '`securityConfig.ssl.key` must be a parseable private key (is the passphrase right?), got <redacted>'],
      ['a non-boolean rejectUnauthorized', { ssl: { rejectUnauthorized: 'no' } }, '`securityConfig.ssl.rejectUnauthorized` must be a boolean, got "no"'],
      ['an unknown ssl option', { ssl: { verify: true } }, '`securityConfig.ssl.verify` is not an ssl option'],
      ['ssl as a string', { ssl: 'yes' }, '`securityConfig.ssl` must be a boolean or an object'],
      ['an unsupported SASL mechanism', { sasl: { mechanism: 'gssapi', username: 'a', password: 'b' } }, "`securityConfig.sasl.mechanism` must be one of 'plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', got \"gssapi\""],
      ['an empty user name', { sasl: { mechanism: 'plain', username: '', password: 'b' } }, '`securityConfig.sasl.username` must be a non-empty string, got ""'],
      ['a missing password', { sasl: { mechanism: 'scram-sha-256', username: 'a' } }, '`securityConfig.sasl.password` must be a non-empty string, got undefined'],
      ['an empty password', { sasl: { mechanism: 'scram-sha-512', username: 'a', password: '' } }, '`securityConfig.sasl.password` must be a non-empty string, got <redacted>'],
      ['OAUTHBEARER without a token provider', { sasl: { mechanism: 'oauthbearer' } }, '`securityConfig.sasl.oauthBearerProvider` must be a function returning a promise of { value: token }, got undefined'],
      ['an unknown security option', { tls: true }, '`securityConfig.tls` is not a security option (ssl, sasl), got true'],
    ])('rejects %s eagerly with a config error naming the option', async (_label, config, message) => {
      const extended = make();
      const error = (await extended.configureKafkaSecurity(config as never).catch((e: unknown) => e)) as Error & { code: string };
      expect(error.name).toBe('KafkaExtendedConfigError');
      expect(error.code).toBe('KAFKAX_INVALID_CONFIG');
      expect(error.message.startsWith(message)).toBe(true);
    });

    it('never puts a password in an error message', async () => {
      const extended = make();
      const error = (await extended.configureKafkaSecurity({ sasl: { mechanism: 'plain', username: 'a', password: 42 as never } }).catch((e: unknown) => e)) as Error;
      expect(error.message).toBe('`securityConfig.sasl.password` must be a non-empty string, got <redacted>');
    });
  });
});
