// A second process for the Kafka-backed registry test: registers schemas and prints what it got.
// Usage: tsx register-worker.ts <brokers> <topic> <worker-name> <count>
import { KafkaSchemaRegistry } from '../../src/schema-registry/kafka-schema-registry.js';

async function main(): Promise<void> {
  const [brokers = '', topic = '', worker = 'w', countText = '10'] = process.argv.slice(2);
  const registry = new KafkaSchemaRegistry({ bootstrapServers: brokers.split(','), topic, clientId: `worker-${worker}` });
  await registry.setCompatibility('NONE');
  const results: { subject: string; schema: string; id: number }[] = [];
  const count = Number(countText);
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      // Half the schemas are shared by every worker (same subject, same text), half are this worker's own
      // but land in the same subjects, so both id and version allocation race across processes.
      const shared = i % 2 === 0;
      const name = shared ? `Shared${i}` : `Own${worker}${i}`;
      const schema = JSON.stringify({ type: 'record', name, fields: [{ name: 'f', type: 'string' }] });
      const subject = `race-${i % 3}`;
      const id = await registry.registerSchema(subject, schema, 'AVRO');
      results.push({ subject, schema, id });
    }),
  );
  process.stdout.write(`${JSON.stringify({ results, metrics: registry.getMetrics() })}\n`);
  await registry.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
