// Which kafkajs failures leave a produce request's outcome unknown (the broker may have written it). The
// errors are built by kafkajs's own classes and its own retrier, as its sendMessages builds them; an unknown
// outcome makes the idempotent producer resend the same batch (same producer id and sequence numbers) or take a
// new producer id, so a later batch cannot reuse the sequence numbers of a batch the broker may hold.
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSNonRetriableError } from 'kafkajs';
import { outcomeUnknown } from './batching-producer.js';

type Retrier = <T>(fn: (bail: (error: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createRetry = require('kafkajs/src/retry') as (options: { retries: number; initialRetryTime?: number }) => Retrier;

/** What a producer's sendBatch rejects with when `fn` (one attempt of kafkajs's sendMessages) throws `thrown`. */
async function rejectionOfSend(thrown: Error, retries = 2): Promise<unknown> {
  const retrier = createRetry({ retries, initialRetryTime: 1 });
  return retrier(async () => {
    throw thrown;
  }).catch((error: unknown) => error);
}

describe('outcomeUnknown', () => {
  it('is unknown when a closed connection is followed by a failed reconnect (the reconnect error reaches the caller as non-retriable)', async () => {
    // sendMessages: the request's connection closed (the broker may have written it), `cluster.connect()` then
    // failed in the broker pool's own retrier, whose KafkaJSNumberOfRetriesExceeded is not retriable, so the
    // producer's retrier wraps it in a KafkaJSNonRetriableError at once.
    const reconnect = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { retryCount: 5, retryTime: 100 });
    const error = await rejectionOfSend(reconnect);
    expect((error as Error).name).toBe('KafkaJSNonRetriableError');
    expect((error as { retriable?: boolean }).retriable).toBe(false);
    expect(outcomeUnknown(error)).toBe(true);
  });

  it('is unknown when kafkajs ran out of retries on a retriable error', async () => {
    const error = await rejectionOfSend(new KafkaJSConnectionError('Connection error: read ECONNRESET'));
    expect((error as Error).name).toBe('KafkaJSNumberOfRetriesExceeded');
    expect(outcomeUnknown(error)).toBe(true);
  });

  it('is known when the broker refused the request (control: a non-retriable protocol error)', async () => {
    const refused = new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'too large' } as never);
    expect(outcomeUnknown(await rejectionOfSend(refused))).toBe(false);
    expect(outcomeUnknown(new KafkaJSNonRetriableError(refused))).toBe(false);
    expect(outcomeUnknown(new Error('Broker not connected'))).toBe(false);
  });
});
