import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { ProtocolKafkaSaslConfig, ProtocolKafkaSecurityConfig, ProtocolKafkaSslConfig } from '@onex/spi-types';
import type { SASLOptions } from 'kafkajs';
import { KafkaExtendedConfigError, REDACTED } from '../errors/kafka-extended-error.js';
import { isRecord, nonEmptyString } from './validate.js';

/** Security settings after validation, ready for kafkajs. */
export interface SecuritySettings {
  /** The caller's settings, kept to hand on (schema registry). */
  readonly source: ProtocolKafkaSecurityConfig;
  /** kafkajs `ssl`. */
  readonly ssl: boolean | ConnectionOptions | undefined;
  /** kafkajs `sasl`. */
  readonly sasl: SASLOptions | undefined;
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;
const SSL_KEYS = new Set(['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername']);

/**
 * Validates SSL and SASL settings eagerly: PEM material is parsed, the certificate must match its key,
 * SASL credentials must be present for the mechanism.
 * @throws KafkaExtendedConfigError naming the offending option
 */
export function validateSecurity(config: unknown, prefix: string): SecuritySettings {
  if (config === undefined) return { source: {}, ssl: undefined, sasl: undefined };
  if (!isRecord(config)) throw new KafkaExtendedConfigError(prefix || 'securityConfig', 'must be an object with ssl and/or sasl', config);
  const name = (key: string): string => (prefix ? `${prefix}.${key}` : key);
  for (const key of Object.keys(config)) {
    if (key !== 'ssl' && key !== 'sasl') throw new KafkaExtendedConfigError(name(key), 'is not a security option (ssl, sasl)', config[key]);
  }
  const ssl = validateSsl(config['ssl'], name('ssl'));
  const sasl = validateSasl(config['sasl'], name('sasl'));
  const source: ProtocolKafkaSecurityConfig = {
    ...(config['ssl'] !== undefined ? { ssl: config['ssl'] as boolean | ProtocolKafkaSslConfig } : {}),
    ...(config['sasl'] !== undefined ? { sasl: config['sasl'] as ProtocolKafkaSaslConfig } : {}),
  };
  return { source, ssl, sasl };
}

function validateSsl(value: unknown, option: string): boolean | ConnectionOptions | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (!isRecord(value)) throw new KafkaExtendedConfigError(option, 'must be a boolean or an object with ca, cert, key, passphrase, rejectUnauthorized, servername', value);
  for (const key of Object.keys(value)) {
    if (!SSL_KEYS.has(key)) throw new KafkaExtendedConfigError(`${option}.${key}`, 'is not an ssl option (ca, cert, key, passphrase, rejectUnauthorized, servername)', value[key]);
  }
  const out: ConnectionOptions = {};
  const ca = value['ca'];
  if (ca !== undefined) {
    const list = typeof ca === 'string' ? [ca] : Array.isArray(ca) ? ca : undefined;
    if (!list || list.length === 0) throw new KafkaExtendedConfigError(`${option}.ca`, 'must be a PEM certificate or a non-empty array of them', ca);
    list.forEach((pem: unknown, index) => parseCertificate(typeof ca === 'string' ? `${option}.ca` : `${option}.ca[${index}]`, pem));
    out.ca = list as string[];
  }
  const passphrase = value['passphrase'];
  if (passphrase !== undefined && typeof passphrase !== 'string') throw new KafkaExtendedConfigError(`${option}.passphrase`, 'must be a string', REDACTED);
  const certPem = value['cert'];
  const keyPem = value['key'];
  if ((certPem === undefined) !== (keyPem === undefined)) {
    const missing = certPem === undefined ? 'cert' : 'key';
    throw new KafkaExtendedConfigError(`${option}.${missing}`, `must be given together with \`${option}.${missing === 'cert' ? 'key' : 'cert'}\``, undefined);
  }
  if (certPem !== undefined) {
    const certificate = parseCertificate(`${option}.cert`, certPem);
    const key = parseKey(`${option}.key`, keyPem, passphrase as string | undefined);
    if (!certificate.checkPrivateKey(key)) throw new KafkaExtendedConfigError(`${option}.key`, 'must be the private key of `' + option + '.cert`', REDACTED);
    out.cert = certPem as string;
    out.key = keyPem as string;
    if (passphrase !== undefined) out.passphrase = passphrase as string;
  }
  const reject = value['rejectUnauthorized'];
  if (reject !== undefined) {
    if (typeof reject !== 'boolean') throw new KafkaExtendedConfigError(`${option}.rejectUnauthorized`, 'must be a boolean', reject);
    out.rejectUnauthorized = reject;
  }
  const servername = value['servername'];
  if (servername !== undefined) out.servername = nonEmptyString(`${option}.servername`, servername);
  return out;
}

function parseCertificate(option: string, pem: unknown): X509Certificate {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new KafkaExtendedConfigError(option, 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)', pem);
  }
  try {
    return new X509Certificate(pem);
  } catch (cause) {
    throw new KafkaExtendedConfigError(option, 'must be a parseable PEM certificate', pem, { cause });
  }
}

function parseKey(option: string, pem: unknown, passphrase: string | undefined): KeyObject {
  if (typeof pem !== 'string' || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new KafkaExtendedConfigError(option, 'must be a PEM private key (-----BEGIN ... PRIVATE KEY-----)', REDACTED);
  }
  try {
    return createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
  } catch (cause) {
    throw new KafkaExtendedConfigError(option, 'must be a parseable private key (is the passphrase right?)', REDACTED, { cause });
  }
}

function validateSasl(value: unknown, option: string): SASLOptions | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw new KafkaExtendedConfigError(option, 'must be an object with a mechanism', value);
  const mechanism = value['mechanism'];
  if (typeof mechanism !== 'string' || !(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new KafkaExtendedConfigError(`${option}.mechanism`, `must be one of ${SASL_MECHANISMS.map((m) => `'${m}'`).join(', ')}`, mechanism);
  }
  if (mechanism === 'oauthbearer') {
    const provider = value['oauthBearerProvider'];
    if (typeof provider !== 'function') throw new KafkaExtendedConfigError(`${option}.oauthBearerProvider`, 'must be a function returning a promise of { value: token }', provider);
    const call = provider as () => Promise<{ readonly value: string }>;
    return {
      mechanism: 'oauthbearer',
      // The token is checked on every use: an empty token would otherwise surface as an opaque broker error.
      oauthBearerProvider: async () => {
        const token: unknown = await call();
        if (!isRecord(token) || typeof token['value'] !== 'string' || token['value'] === '') {
          throw new KafkaExtendedConfigError(`${option}.oauthBearerProvider()`, 'must resolve to { value: non-empty token }', token);
        }
        return { value: token['value'] };
      },
    };
  }
  const username = nonEmptyString(`${option}.username`, value['username']);
  const password = value['password'];
  if (typeof password !== 'string' || password === '') throw new KafkaExtendedConfigError(`${option}.password`, 'must be a non-empty string', password === undefined ? undefined : REDACTED);
  return { mechanism: mechanism as 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password } as SASLOptions;
}
