import { KAFKA_ERROR_CODES, OnexError, type KafkaErrorCode, type OnexErrorOptions } from '@onex/spi-types';

const CODES: ReadonlySet<string> = new Set(KAFKA_ERROR_CODES);

/** Base class of every error `@onex/kafka` throws; `code` is one of `KAFKA_ERROR_CODES`. */
export class KafkaError<C extends KafkaErrorCode = KafkaErrorCode> extends OnexError<C> {
  constructor(code: C, message: string, options?: OnexErrorOptions) {
    super(code, message, options);
  }
}

/** True for any `@onex/kafka` error, even one thrown by a duplicate install (checks `code`). */
export function isKafkaError(error: unknown): error is KafkaError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    CODES.has((error as unknown as { code: string }).code) &&
    'details' in error
  );
}
