import type { RegistryRecord } from './registry-record.js';
import type { RegistryLog, RegistryLogListener } from './registry-log.js';

/** A process-local log: nothing survives the process, useful for tests and single-process tools. */
export class InMemoryRegistryLog implements RegistryLog {
  private listener: RegistryLogListener | undefined;
  private readonly records: RegistryRecord[] = [];

  async start(listener: RegistryLogListener): Promise<void> {
    this.listener = listener;
    for (const record of this.records) listener(record);
  }

  async append(record: RegistryRecord): Promise<void> {
    this.records.push(record);
    this.listener?.(record);
  }

  async sync(): Promise<void> {
    // Appends are delivered synchronously, so there is never anything to catch up on.
  }

  async close(): Promise<void> {
    this.listener = undefined;
  }
}
