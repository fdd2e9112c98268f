import diagnosticsChannel from 'node:diagnostics_channel';
import { KAFKA_EXTENDED_CHANNELS } from '../channels.js';

// The schema registry's channel objects (names in KAFKA_EXTENDED_CHANNELS); internal, so that only the package publishes.
export const schemaRegisteredChannel = diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.schemaRegistered);
export const schemaConflictChannel = diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.schemaConflict);
export const schemaDeletedChannel = diagnosticsChannel.channel(KAFKA_EXTENDED_CHANNELS.schemaDeleted);
