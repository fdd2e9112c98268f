import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkKafkaSasl, checkKafkaSsl, type KafkaSecurityErrorFactory } from './kafka-security.js';

class TestConfigError extends Error {
  constructor(
    readonly option: string,
    requirement: string,
    readonly value: unknown,
    readonly secret: boolean,
    options?: { cause?: unknown },
  ) {
    super(`\`${option}\` ${requirement}`, options);
  }
}
const fail: KafkaSecurityErrorFactory = (option, requirement, value, extra) =>
  new TestConfigError(option, requirement, value, extra.secret, extra.cause === undefined ? undefined : { cause: extra.cause });

function thrown(run: () => unknown): TestConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof TestConfigError) return error;
    throw error;
  }
  throw new Error('expected a TestConfigError');
}

describe('checkKafkaSsl', () => {
  let dir: string;
  const pem: Record<'certA' | 'keyA' | 'certB' | 'keyB' | 'keyAEncrypted', string> = { certA: '', keyA: '', certB: '', keyB: '', keyAEncrypted: '' };

  beforeAll(() => {
    // Real PEM material from openssl, so the parsing and key matching run on what users pass.
    dir = mkdtempSync(path.join(tmpdir(), 'onex-kafka-security-'));
    for (const name of ['a', 'b']) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-keyout', path.join(dir, `key-${name}.pem`), '-out', path.join(dir, `cert-${name}.pem`)], { stdio: 'ignore' });
    }
    execFileSync('openssl', ['pkey', '-in', path.join(dir, 'key-a.pem'), '-aes256', '-passout', 'pass:pw', '-out', path.join(dir, 'key-a-enc.pem')], { stdio: 'ignore' });
    const read = (file: string): string => readFileSync(path.join(dir, file), 'utf8');
    Object.assign(pem, { certA: read('cert-a.pem'), keyA: read('key-a.pem'), certB: read('cert-b.pem'), keyB: read('key-b.pem'), keyAEncrypted: read('key-a-enc.pem') });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts booleans, nothing, and a full object (the CA as a list)', () => {
    expect(checkKafkaSsl(undefined, 'ssl', fail)).toBeUndefined();
    expect(checkKafkaSsl(true, 'ssl', fail)).toBe(true);
    expect(checkKafkaSsl({ ca: pem.certB, cert: pem.certA, key: pem.keyA, rejectUnauthorized: false, servername: 'kafka.local' }, 'ssl', fail)).toEqual({
      ca: [pem.certB],
      cert: pem.certA,
      key: pem.keyA,
      rejectUnauthorized: false,
      servername: 'kafka.local',
    });
    expect(checkKafkaSsl({ cert: pem.certA, key: pem.keyAEncrypted, passphrase: 'pw' }, 'ssl', fail)).toEqual({ cert: pem.certA, key: pem.keyAEncrypted, passphrase: 'pw' });
  });

  it.each<[string, () => unknown, string, string, boolean]>([
    ['an unknown key', () => ({ cafile: '/x' }), 'ssl.cafile', 'is not an ssl option', false],
    ['a number', () => 1, 'ssl', 'must be a boolean or an object', false],
    ['an empty CA list', () => ({ ca: [] }), 'ssl.ca', 'non-empty array', false],
    ['a CA that is no PEM', () => ({ ca: ['x'] }), 'ssl.ca[0]', 'must be a PEM certificate', false],
    ['a cert without key', () => ({ cert: pem.certA }), 'ssl.key', 'must be given together with `ssl.cert`', false],
    ['a key of another certificate', () => ({ cert: pem.certA, key: pem.keyB }), 'ssl.key', 'must be the private key of `ssl.cert`', true],
    ['a wrong passphrase', () => ({ cert: pem.certA, key: pem.keyAEncrypted, passphrase: 'nope' }), 'ssl.key', 'must be a parseable private key', true],
    ['a passphrase that is no string', () => ({ passphrase: 1 }), 'ssl.passphrase', 'must be a string', true],
    ['rejectUnauthorized as a string', () => ({ rejectUnauthorized: 'no' }), 'ssl.rejectUnauthorized', 'must be a boolean', false],
    ['an empty servername', () => ({ servername: ' ' }), 'ssl.servername', 'must be a non-empty string', false],
  ])('refuses %s, naming the option and flagging secrets', (_what, value, option, requirement, secret) => {
    const error = thrown(() => checkKafkaSsl(value(), 'ssl', fail));
    expect(error.option).toBe(option);
    expect(error.message).toContain(requirement);
    expect(error.secret).toBe(secret);
  });
});

describe('checkKafkaSasl', () => {
  const provider = async (): Promise<{ value: string }> => ({ value: 't' });

  it('accepts each mechanism', () => {
    expect(checkKafkaSasl({ mechanism: 'scram-sha-512', username: 'u', password: 'p' }, 'sasl', fail)).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(checkKafkaSasl({ mechanism: 'oauthbearer', oauthBearerProvider: provider }, 'sasl', fail)).toEqual({ mechanism: 'oauthbearer', oauthBearerProvider: provider });
  });

  it('requires the mechanism and a non-empty password unless the rules keep what an adapter accepted', () => {
    expect(thrown(() => checkKafkaSasl({ username: 'u', password: 'p' }, 'sasl', fail)).option).toBe('sasl.mechanism');
    expect(thrown(() => checkKafkaSasl({ mechanism: 'plain', username: 'u', password: '' }, 'sasl', fail))).toMatchObject({ option: 'sasl.password', secret: true });
    expect(checkKafkaSasl({ username: 'u', password: '' }, 'sasl', fail, { defaultMechanism: 'plain', allowEmptyPassword: true })).toEqual({ mechanism: 'plain', username: 'u', password: '' });
  });

  it.each<[string, unknown, string, boolean]>([
    ['an unknown mechanism', { mechanism: 'gssapi' }, 'sasl.mechanism', false],
    ['no user name', { mechanism: 'plain', password: 'p' }, 'sasl.username', false],
    ['no password', { mechanism: 'plain', username: 'u' }, 'sasl.password', false],
    ['a password that is no string', { mechanism: 'plain', username: 'u', password: 1 }, 'sasl.password', true],
    ['oauthbearer without a provider', { mechanism: 'oauthbearer' }, 'sasl.oauthBearerProvider', false],
    ['a string', 'plain', 'sasl', false],
  ])('refuses %s', (_what, value, option, secret) => {
    expect(thrown(() => checkKafkaSasl(value, 'sasl', fail))).toMatchObject({ option, secret });
  });
});
