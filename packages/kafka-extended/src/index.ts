// The public API of @onex/kafka-extended. Each file below names every export it makes public.
export * from './schema-registry/public-api.js';
export * from './streams/public-api.js';
