import type { RegistryRecord } from './registry-record.js';

/** Receives every record of the log, in order. */
export type RegistryLogListener = (record: RegistryRecord) => void;

/** The ordered, durable log an embedded registry is rebuilt from. */
export interface RegistryLog {
  /** Connects and replays the whole log into `listener`, then keeps delivering new records. */
  start(listener: RegistryLogListener): Promise<void>;
  /** Appends a record and resolves once it has been delivered to the listener (read-your-writes). */
  append(record: RegistryRecord): Promise<void>;
  /** Resolves once every record appended anywhere before the call has been delivered. */
  sync(): Promise<void>;
  /** Disconnects. */
  close(): Promise<void>;
}
