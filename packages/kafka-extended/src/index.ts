// The public API of @onex/kafka-extended. Each file below names every export it makes public.
export { KAFKA_EXTENDED_CHANNELS } from './channels.js';
export * from './schema-registry/public-api.js';
export * from './streams/public-api.js';
