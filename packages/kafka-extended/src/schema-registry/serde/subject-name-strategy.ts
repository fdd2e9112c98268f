import { SchemaRegistryInvalidArgumentError } from '../errors/schema-registry-errors.js';

/** How a serializer names the subject of a topic: Confluent's three strategies, or a function. */
export type SubjectNameStrategy =
  | 'topic-name'
  | 'record-name'
  | 'topic-record-name'
  | ((topic: string, recordName: string | undefined, isKey: boolean) => string);

/** Every named strategy. */
export const SUBJECT_NAME_STRATEGIES = ['topic-name', 'record-name', 'topic-record-name'] as const;

/**
 * The subject of `topic` under `strategy`: `<topic>-value`/`<topic>-key`, `<record>`, `<topic>-<record>`.
 * @throws {SchemaRegistryInvalidArgumentError} when a record strategy meets a schema without record name
 */
export function subjectName(strategy: SubjectNameStrategy, topic: string, recordName: string | undefined, isKey: boolean): string {
  if (typeof strategy === 'function') return strategy(topic, recordName, isKey);
  if (strategy === 'topic-name') return `${topic}-${isKey ? 'key' : 'value'}`;
  if (recordName === undefined) {
    throw new SchemaRegistryInvalidArgumentError(`subject name strategy "${strategy}" needs a schema with a record name (Avro named type, JSON title, Protobuf message)`);
  }
  return strategy === 'record-name' ? recordName : `${topic}-${recordName}`;
}
