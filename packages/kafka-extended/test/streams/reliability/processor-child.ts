// A stream processor in its own process, so a test can SIGKILL it mid-stream and start it again.
// Configuration comes from the ONEX_CHILD_CONFIG environment variable (JSON).
import { KafkaExtended } from '../../../src/index.js';

interface ChildConfig {
  readonly brokers: string[];
  readonly input: string;
  readonly output: string;
  readonly applicationId: string;
  readonly guarantee: 'at_least_once' | 'exactly_once';
  readonly delayMs: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env['ONEX_CHILD_CONFIG'] ?? '{}') as ChildConfig;
  const extended = new KafkaExtended({ bootstrapServers: config.brokers, clientId: 'reliability-child' });
  const id = await extended.createStreamProcessor({
    applicationId: config.applicationId,
    bootstrapServers: config.brokers,
    processingGuarantee: config.guarantee,
    commitBatchSize: 25,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    createTopics: false,
  });
  await extended.processKafkaStream(id, [config.input], config.output, async (record) => {
    await new Promise((resolve) => setTimeout(resolve, config.delayMs));
    return { value: `${Buffer.from(record.value as Uint8Array).toString()}:out` };
  });
  process.stdout.write('RUNNING\n');
  process.on('SIGTERM', () => {
    void extended.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`child failed: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
