import type { ConnectionOptions } from 'node:tls';
import type { ProtocolKafkaSaslConfig, ProtocolKafkaSecurityConfig, ProtocolKafkaSslConfig } from '@onex/spi-types';
import { checkKafkaSasl, checkKafkaSsl, type KafkaSecurityErrorFactory } from '@onex/spi-types/support';
import type { SASLOptions } from 'kafkajs';
import { KafkaExtendedConfigError, REDACTED } from '../errors/kafka-extended-error.js';
import { isRecord } from './validate.js';

/** Security settings after validation, ready for kafkajs. */
export interface SecuritySettings {
  /** The caller's settings, kept to hand on (schema registry). */
  readonly source: ProtocolKafkaSecurityConfig;
  /** kafkajs `ssl`. */
  readonly ssl: boolean | ConnectionOptions | undefined;
  /** kafkajs `sasl`. */
  readonly sasl: SASLOptions | undefined;
}

const fail: KafkaSecurityErrorFactory = (option, requirement, value, { secret, cause }) =>
  new KafkaExtendedConfigError(option, requirement, secret ? REDACTED : value, cause === undefined ? undefined : { cause });

/**
 * Validates SSL and SASL settings eagerly (the shared checks of `@onex/spi-types/support`: PEM material is parsed,
 * the certificate must match its key, SASL credentials must be present for the mechanism).
 * @throws KafkaExtendedConfigError naming the offending option
 */
export function validateSecurity(config: unknown, prefix: string): SecuritySettings {
  if (config === undefined) return { source: {}, ssl: undefined, sasl: undefined };
  if (!isRecord(config)) throw new KafkaExtendedConfigError(prefix || 'securityConfig', 'must be an object with ssl and/or sasl', config);
  const name = (key: string): string => (prefix ? `${prefix}.${key}` : key);
  for (const key of Object.keys(config)) {
    if (key !== 'ssl' && key !== 'sasl') throw new KafkaExtendedConfigError(name(key), 'is not a security option (ssl, sasl)', config[key]);
  }
  const ssl = checkKafkaSsl(config['ssl'], name('ssl'), fail);
  const sasl = checkKafkaSasl(config['sasl'], name('sasl'), fail);
  const source: ProtocolKafkaSecurityConfig = {
    ...(config['ssl'] !== undefined ? { ssl: config['ssl'] as boolean | ProtocolKafkaSslConfig } : {}),
    ...(config['sasl'] !== undefined ? { sasl: config['sasl'] as ProtocolKafkaSaslConfig } : {}),
  };
  return { source, ssl, sasl: sasl?.mechanism === 'oauthbearer' ? checkedTokens(sasl.oauthBearerProvider, `${name('sasl')}.oauthBearerProvider()`) : sasl };
}

/** The token is checked on every use: an empty token would otherwise surface as an opaque broker error. */
function checkedTokens(call: () => Promise<{ readonly value: string }>, option: string): SASLOptions {
  return {
    mechanism: 'oauthbearer',
    oauthBearerProvider: async () => {
      const token: unknown = await call();
      if (!isRecord(token) || typeof token['value'] !== 'string' || token['value'] === '') {
        throw new KafkaExtendedConfigError(option, 'must resolve to { value: non-empty token }', token);
      }
      return { value: token['value'] };
    },
  };
}
