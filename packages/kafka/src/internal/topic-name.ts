import { describeValue } from '@onex/spi-types/support';
import { KafkaArgumentError } from '../errors/kafka-errors.js';

const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/** The last name that passed: a producer checks the same topic on every call, and a string compare beats the regex. */
let lastLegal: string | undefined;

/** Throws unless `topic` is a legal Kafka topic name (1–249 of `[a-zA-Z0-9._-]`, not `.` or `..`). */
export function assertTopicName(topic: unknown, name = 'topic'): asserts topic is string {
  if (topic === lastLegal) return;
  if (typeof topic !== 'string' || !LEGAL.test(topic) || topic === '.' || topic === '..') {
    throw new KafkaArgumentError(`\`${name}\` must be a Kafka topic name (1-249 of [a-zA-Z0-9._-]), got ${describeValue(topic)}`, {
      details: { argument: name, value: topic },
    });
  }
  lastLegal = topic;
}
