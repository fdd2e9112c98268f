import { OnexError, type KafkaExtendedErrorCode, type OnexErrorOptions } from '@onex/spi-types';
import { describeValue as describeSharedValue } from '@onex/spi-types/support';

/** Base of every error thrown by the stream processors, tuning, diagnostics and security of `KafkaExtended`. */
export class KafkaExtendedError<C extends KafkaExtendedErrorCode = KafkaExtendedErrorCode> extends OnexError<C> {}

/** An option of `KafkaExtended`, of a stream processor or of a security config is invalid. */
export class KafkaExtendedConfigError extends KafkaExtendedError<'KAFKAX_INVALID_CONFIG'> {
  /** Path of the offending option (`retry.maxRetries`). */
  readonly option: string;

  constructor(option: string, requirement: string, value: unknown, options?: OnexErrorOptions) {
    super('KAFKAX_INVALID_CONFIG', `\`${option}\` ${requirement}, got ${describeValue(value)}`, {
      ...options,
      details: { option, ...options?.details },
    });
    this.option = option;
  }
}

/** A method argument is invalid. */
export class KafkaExtendedArgumentError extends KafkaExtendedError<'KAFKAX_INVALID_ARGUMENT'> {
  /** Name of the offending argument. */
  readonly argument: string;

  constructor(argument: string, requirement: string, value: unknown, options?: OnexErrorOptions) {
    super('KAFKAX_INVALID_ARGUMENT', `\`${argument}\` ${requirement}, got ${describeValue(value)}`, {
      ...options,
      details: { argument, ...options?.details },
    });
    this.argument = argument;
  }
}

/** No stream processor has the given id. */
export class UnknownStreamProcessorError extends KafkaExtendedError<'KAFKAX_UNKNOWN_PROCESSOR'> {
  /** The unknown id. */
  readonly processorId: string;

  constructor(processorId: string) {
    super('KAFKAX_UNKNOWN_PROCESSOR', `no stream processor with id '${processorId}'`, { details: { processorId } });
    this.processorId = processorId;
  }
}

/** The stream processor is in a state that does not allow the operation. */
export class StreamProcessorStateError extends KafkaExtendedError<'KAFKAX_PROCESSOR_STATE'> {
  /** The processor. */
  readonly processorId: string;
  /** Its state when the operation was attempted. */
  readonly state: string;

  constructor(processorId: string, state: string, operation: string, options?: OnexErrorOptions) {
    super('KAFKAX_PROCESSOR_STATE', `stream processor '${processorId}' cannot ${operation} while ${state}`, {
      ...options,
      details: { processorId, state, operation, ...options?.details },
    });
    this.processorId = processorId;
    this.state = state;
  }
}

/** A processor function did not settle within `processingTimeoutMs` (counts as a failed attempt). */
export class StreamProcessingTimeoutError extends KafkaExtendedError<'KAFKAX_PROCESSING_TIMEOUT'> {
  constructor(processorId: string, timeoutMs: number, location: string) {
    super('KAFKAX_PROCESSING_TIMEOUT', `stream processor '${processorId}' took longer than ${timeoutMs} ms on ${location}`, {
      details: { processorId, timeoutMs, location },
    });
  }
}

/** A processor function returned something that is not an output message (counts as a failed attempt). */
export class InvalidStreamOutputError extends KafkaExtendedError<'KAFKAX_INVALID_OUTPUT'> {
  constructor(field: string, requirement: string, value: unknown, options?: OnexErrorOptions) {
    super('KAFKAX_INVALID_OUTPUT', `processor output \`${field}\` ${requirement}, got ${describeValue(value)}`, {
      ...options,
      details: { field, ...options?.details },
    });
  }
}

/** An exactly-once transaction could not be committed after its retries, or the producer was fenced. */
export class StreamTransactionError extends KafkaExtendedError<'KAFKAX_TRANSACTION'> {
  constructor(processorId: string, reason: string, options?: OnexErrorOptions) {
    super('KAFKAX_TRANSACTION', `stream processor '${processorId}': ${reason}`, {
      ...options,
      details: { processorId, ...options?.details },
    });
  }
}

/** A topic config key is unknown or its value is invalid (checked before anything is sent, or refused by the broker). */
export class InvalidTopicConfigError extends KafkaExtendedError<'KAFKAX_INVALID_TOPIC_CONFIG'> {
  /** The offending config key. */
  readonly configName: string;

  constructor(configName: string, problem: string, options?: OnexErrorOptions) {
    super('KAFKAX_INVALID_TOPIC_CONFIG', `\`settings['${configName}']\` ${problem}`, {
      ...options,
      details: { configName, ...options?.details },
    });
    this.configName = configName;
  }
}

/** The topic does not exist. */
export class TopicNotFoundError extends KafkaExtendedError<'KAFKAX_TOPIC_NOT_FOUND'> {
  /** The missing topic. */
  readonly topic: string;

  constructor(topic: string, options?: OnexErrorOptions) {
    super('KAFKAX_TOPIC_NOT_FOUND', `topic '${topic}' does not exist`, { ...options, details: { topic } });
    this.topic = topic;
  }
}

/** The brokers rejected the SASL credentials (or the TLS handshake). */
export class KafkaExtendedAuthenticationError extends KafkaExtendedError<'KAFKAX_AUTHENTICATION'> {
  constructor(brokers: readonly string[], detail: string, options?: OnexErrorOptions) {
    super('KAFKAX_AUTHENTICATION', `authentication to ${brokers.join(',')} failed: ${detail}`, {
      ...options,
      details: { brokers: [...brokers], ...options?.details },
    });
  }
}

/** The brokers could not be reached. */
export class KafkaExtendedConnectionError extends KafkaExtendedError<'KAFKAX_CONNECTION'> {
  constructor(brokers: readonly string[], detail: string, options?: OnexErrorOptions) {
    super('KAFKAX_CONNECTION', `cannot connect to ${brokers.join(',')}: ${detail}`, {
      ...options,
      details: { brokers: [...brokers], ...options?.details },
    });
  }
}

/** A broker was reached but did not answer a request within `requestTimeoutMs` (or answered `REQUEST_TIMED_OUT`). */
export class KafkaExtendedTimeoutError extends KafkaExtendedError<'KAFKAX_TIMEOUT'> {
  constructor(brokers: readonly string[], detail: string, options?: OnexErrorOptions) {
    super('KAFKAX_TIMEOUT', `request to ${brokers.join(',')} timed out: ${detail}`, {
      ...options,
      details: { brokers: [...brokers], ...options?.details },
    });
  }
}

/** An admin request (describe, alter, list) failed. */
export class KafkaExtendedAdminError extends KafkaExtendedError<'KAFKAX_ADMIN'> {
  constructor(operation: string, detail: string, options?: OnexErrorOptions) {
    super('KAFKAX_ADMIN', `${operation} failed: ${detail}`, { ...options, details: { operation, ...options?.details } });
  }
}

/** @deprecated Renamed {@link KafkaExtendedAuthenticationError} (unique across the toolkit); this alias goes in the next release. */
export const KafkaAuthenticationError = KafkaExtendedAuthenticationError;
/** @deprecated Renamed {@link KafkaExtendedAuthenticationError}. */
export type KafkaAuthenticationError = KafkaExtendedAuthenticationError;
/** @deprecated Renamed {@link KafkaExtendedConnectionError} (unique across the toolkit); this alias goes in the next release. */
export const KafkaConnectionError = KafkaExtendedConnectionError;
/** @deprecated Renamed {@link KafkaExtendedConnectionError}. */
export type KafkaConnectionError = KafkaExtendedConnectionError;
/** @deprecated Renamed {@link KafkaExtendedAdminError} (unique across the toolkit); this alias goes in the next release. */
export const KafkaAdminError = KafkaExtendedAdminError;
/** @deprecated Renamed {@link KafkaExtendedAdminError}. */
export type KafkaAdminError = KafkaExtendedAdminError;

/** `KafkaExtended` was closed. */
export class KafkaExtendedClosedError extends KafkaExtendedError<'KAFKAX_CLOSED'> {
  constructor(operation: string) {
    super('KAFKAX_CLOSED', `cannot ${operation}: KafkaExtended is closed`, { details: { operation } });
  }
}

/** True for any error of this module (by code, so it works across duplicate installs). */
export function isKafkaExtendedError(error: unknown): error is KafkaExtendedError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as unknown as { code: string }).code.startsWith('KAFKAX_')
  );
}

/** Stands for a secret (password, private key) in error messages. */
export const REDACTED: unique symbol = Symbol('redacted');

/** The shared renderer, except that a redacted secret reads `<redacted>`. */
function describeValue(value: unknown): string {
  return value === REDACTED ? '<redacted>' : describeSharedValue(value);
}
