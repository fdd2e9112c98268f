import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

/** TLS settings of a Kafka connection after validation (PEM parsed, certificate matching its key). */
export interface KafkaSslSettings {
  ca?: string[];
  cert?: string;
  key?: string;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** SASL settings of a Kafka connection after validation. */
export type KafkaSaslSettings =
  | { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string }
  | { readonly mechanism: 'oauthbearer'; readonly oauthBearerProvider: () => Promise<{ readonly value: string }> };

/**
 * Builds the adapter's typed config error. `secret` is true when `value` is a password, key or passphrase, which
 * the message must not print.
 */
export type KafkaSecurityErrorFactory = (option: string, requirement: string, value: unknown, extra: { readonly secret: boolean; readonly cause?: unknown }) => Error;

/** What an adapter accepted before the checks were shared, kept so that nothing accepted is lost. */
export interface KafkaSaslRules {
  /** The mechanism when none is given; without it `mechanism` is required. */
  readonly defaultMechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  /** Accept an empty password (some brokers' PLAIN callbacks allow it). @default false */
  readonly allowEmptyPassword?: boolean;
}

/** The SASL mechanisms Kafka clients offer here. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;

const SSL_KEYS = ['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates Kafka TLS settings: `true`/`false`, or an object of `ca`, `cert`, `key`, `passphrase`,
 * `rejectUnauthorized`, `servername` whose PEM material parses and whose certificate matches its key.
 * @throws what `fail` builds, naming the offending option
 */
export function checkKafkaSsl(value: unknown, option: string, fail: KafkaSecurityErrorFactory): boolean | KafkaSslSettings | undefined {
  const reject = (name: string, requirement: string, bad: unknown, secret = false, cause?: unknown): never => {
    throw fail(name, requirement, bad, cause === undefined ? { secret } : { secret, cause });
  };
  if (value === undefined || typeof value === 'boolean') return value;
  if (!isRecord(value)) return reject(option, `must be a boolean or an object with ${SSL_KEYS.join(', ')}`, value);
  for (const key of Object.keys(value)) {
    if (!SSL_KEYS.includes(key)) reject(`${option}.${key}`, `is not an ssl option (${SSL_KEYS.join(', ')})`, value[key]);
  }
  const out: KafkaSslSettings = {};
  const ca = value['ca'];
  if (ca !== undefined) {
    const list: unknown[] | undefined = typeof ca === 'string' ? [ca] : Array.isArray(ca) ? ca : undefined;
    if (!list || list.length === 0) reject(`${option}.ca`, 'must be a PEM certificate or a non-empty array of them', ca);
    list?.forEach((pem, index) => parseCertificate(typeof ca === 'string' ? `${option}.ca` : `${option}.ca[${index}]`, pem, reject));
    out.ca = list as string[];
  }
  const passphrase = value['passphrase'];
  if (passphrase !== undefined && typeof passphrase !== 'string') reject(`${option}.passphrase`, 'must be a string', passphrase, true);
  const certPem = value['cert'];
  const keyPem = value['key'];
  if ((certPem === undefined) !== (keyPem === undefined)) {
    const missing = certPem === undefined ? 'cert' : 'key';
    reject(`${option}.${missing}`, `must be given together with \`${option}.${missing === 'cert' ? 'key' : 'cert'}\``, undefined);
  }
  if (certPem !== undefined) {
    const certificate = parseCertificate(`${option}.cert`, certPem, reject);
    const key = parseKey(`${option}.key`, keyPem, passphrase as string | undefined, reject);
    if (!certificate.checkPrivateKey(key)) reject(`${option}.key`, `must be the private key of \`${option}.cert\``, keyPem, true);
    out.cert = certPem as string;
    out.key = keyPem as string;
    if (passphrase !== undefined) out.passphrase = passphrase as string;
  }
  const rejectUnauthorized = value['rejectUnauthorized'];
  if (rejectUnauthorized !== undefined) {
    if (typeof rejectUnauthorized !== 'boolean') reject(`${option}.rejectUnauthorized`, 'must be a boolean', rejectUnauthorized);
    out.rejectUnauthorized = rejectUnauthorized as boolean;
  }
  const servername = value['servername'];
  if (servername !== undefined) {
    if (typeof servername !== 'string' || servername.trim() === '') reject(`${option}.servername`, 'must be a non-empty string', servername);
    out.servername = servername as string;
  }
  return out;
}

type Reject = (name: string, requirement: string, bad: unknown, secret?: boolean, cause?: unknown) => never;

function parseCertificate(option: string, pem: unknown, reject: Reject): X509Certificate {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    return reject(option, 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)', pem);
  }
  try {
    return new X509Certificate(pem);
  } catch (cause) {
    return reject(option, 'must be a parseable PEM certificate', pem, false, cause);
  }
}

function parseKey(option: string, pem: unknown, passphrase: string | undefined, reject: Reject): KeyObject {
  if (typeof pem !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    return reject(option, 'must be a PEM private key (-----BEGIN ... PRIVATE KEY-----)', pem, true);
  }
  try {
    return createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
  } catch (cause) {
    return reject(option, 'must be a parseable private key (is the passphrase right?)', pem, true, cause);
  }
}

/**
 * Validates Kafka SASL settings: a known mechanism with a non-empty user name and a password, or `oauthbearer` with
 * a token provider.
 * @throws what `fail` builds, naming the offending option
 */
export function checkKafkaSasl(value: unknown, option: string, fail: KafkaSecurityErrorFactory, rules: KafkaSaslRules = {}): KafkaSaslSettings | undefined {
  const reject = (name: string, requirement: string, bad: unknown, secret = false): never => {
    throw fail(name, requirement, bad, { secret });
  };
  if (value === undefined) return undefined;
  if (!isRecord(value)) return reject(option, 'must be an object with a mechanism', value);
  const mechanism = value['mechanism'] ?? rules.defaultMechanism;
  if (typeof mechanism !== 'string' || !(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    return reject(`${option}.mechanism`, `must be one of ${KAFKA_SASL_MECHANISMS.map((m) => `'${m}'`).join(', ')}`, value['mechanism']);
  }
  if (mechanism === 'oauthbearer') {
    const provider = value['oauthBearerProvider'];
    if (typeof provider !== 'function') return reject(`${option}.oauthBearerProvider`, 'must be a function returning a promise of { value: token }', provider);
    return { mechanism, oauthBearerProvider: provider as () => Promise<{ readonly value: string }> };
  }
  const username = value['username'];
  if (typeof username !== 'string' || username.trim() === '') reject(`${option}.username`, 'must be a non-empty string', username);
  const password = value['password'];
  if (typeof password !== 'string' || (password === '' && rules.allowEmptyPassword !== true)) {
    reject(`${option}.password`, 'must be a non-empty string', password, password !== undefined);
  }
  return { mechanism: mechanism as 'plain' | 'scram-sha-256' | 'scram-sha-512', username: username as string, password: password as string };
}
