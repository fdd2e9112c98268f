import diagnosticsChannel from 'node:diagnostics_channel';

/** `onex:kafka-extended:schema-registered` — `{ subject, version, id, schemaType }` after a new registration. */
export const schemaRegisteredChannel = diagnosticsChannel.channel('onex:kafka-extended:schema-registered');
/** `onex:kafka-extended:schema-conflict` — `{ subject, id, version, reason }` when another process won a registration race. */
export const schemaConflictChannel = diagnosticsChannel.channel('onex:kafka-extended:schema-conflict');
/** `onex:kafka-extended:schema-deleted` — `{ subject, versions, permanent }`. */
export const schemaDeletedChannel = diagnosticsChannel.channel('onex:kafka-extended:schema-deleted');
