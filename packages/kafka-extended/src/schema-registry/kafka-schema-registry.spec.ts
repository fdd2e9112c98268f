import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { kafkaBrokers, kafkaSaslBrokers, uniqueName } from '../../../../tools/jest/kafka-env.js';
import { KafkaSchemaRegistry } from './kafka-schema-registry.js';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../../..');
const worker = path.join(root, 'packages/kafka-extended/test/schema-registry/register-worker.ts');
const record = (name: string, extra: unknown[] = []) => ({ type: 'record', name, fields: [{ name: 'id', type: 'string' }, ...extra] });

interface WorkerOutput {
  results: { subject: string; schema: string; id: number }[];
  metrics: { conflictsRetried: number };
}

async function spawnWorker(topic: string, name: string, count: number): Promise<WorkerOutput> {
  const { stdout } = await run(
    path.join(root, 'node_modules/.bin/tsx'),
    ['--tsconfig', path.join(root, 'tsconfig.base.json'), worker, kafkaBrokers().join(','), topic, name, String(count)],
    { cwd: root, timeout: 90_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as WorkerOutput;
}

describe(KafkaSchemaRegistry, () => {
  const open: KafkaSchemaRegistry[] = [];
  const registryOn = (topic: string) => {
    const registry = new KafkaSchemaRegistry({ bootstrapServers: kafkaBrokers(), topic, clientId: uniqueName('sr') });
    open.push(registry);
    return registry;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });

  it('rebuilds subjects, ids, deletes and levels from the topic after a restart', async () => {
    const topic = uniqueName('schemas');
    const first = registryOn(topic);
    const a = await first.registerSchema('users-value', record('User'), 'AVRO');
    const b = await first.registerSchema('users-value', record('User', [{ name: 'e', type: 'string', default: '' }]), 'AVRO');
    await first.registerSchema('gone-value', record('Gone'), 'AVRO');
    await first.deleteSubject('gone-value');
    await first.setCompatibility('FULL', 'users-value');
    await first.close();

    const restarted = registryOn(topic);
    expect(await restarted.listSubjects()).toEqual(['users-value']);
    expect(await restarted.getSchema('users-value')).toMatchObject({ id: b, version: 2 });
    expect((await restarted.getSchema('users-value', { version: 1 })).id).toBe(a);
    expect(await restarted.getCompatibility('users-value')).toBe('FULL');
    expect(await restarted.listSubjects({ deleted: true })).toEqual(['gone-value', 'users-value']);
    expect(await restarted.registerSchema('other-value', record('User'), 'AVRO')).toBe(a);
  });

  it('rebuilds configs, modes, metadata, rule sets and imported ids from the topic after a restart', async () => {
    const topic = uniqueName('schemas');
    const first = registryOn(topic);
    const metadata = { properties: { owner: 'team-a' } };
    const ruleSet = { domainRules: [{ name: 'r', kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: 'true' }] };
    const id = await first.registerSchema('users-value', record('User'), 'AVRO', { metadata, ruleSet });
    await first.setConfig({ normalize: true, compatibility: 'FULL' }, 'users-value');
    await first.setConfig({ validateFields: true });
    await first.setMode('IMPORT', 'imported', { force: true });
    expect(await first.registerSchema('imported', record('Imported'), 'AVRO', { id: 500, version: 4 })).toBe(500);
    await first.setMode('READONLY', 'users-value');
    await first.close();

    const restarted = registryOn(topic);
    expect(await restarted.getSchema('users-value')).toMatchObject({ id, metadata, ruleSet });
    expect(await restarted.getConfig('users-value')).toEqual({ normalize: true, compatibility: 'FULL' });
    expect(await restarted.getConfig()).toEqual({ validateFields: true, compatibility: 'BACKWARD' });
    expect(await restarted.getMode('users-value')).toBe('READONLY');
    expect(await restarted.getMode('imported')).toBe('IMPORT');
    expect(await restarted.getSchema('imported')).toMatchObject({ id: 500, version: 4 });
    await expect(restarted.registerSchema('users-value', record('User'), 'AVRO')).rejects.toMatchObject({ code: 'SCHEMA_OPERATION_NOT_PERMITTED' });
    expect(await restarted.registerSchema('fresh', record('Fresh'), 'AVRO')).toBe(501);
  });

  it('lets a second instance see registrations of the first at once', async () => {
    const topic = uniqueName('schemas');
    const one = registryOn(topic);
    const two = registryOn(topic);
    const id = await one.registerSchema('orders-value', record('Order'), 'AVRO');
    expect(await two.getSchemaById(id)).toMatchObject({ id, schemaType: 'AVRO' });
    expect((await two.getSchema('orders-value')).id).toBe(id);
    await expect(two.registerSchema('orders-value', record('Order', [{ name: 'n', type: 'int' }]), 'AVRO')).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
  });

  it('never hands one id to two schemas when two instances race in one process', async () => {
    const topic = uniqueName('schemas');
    const one = registryOn(topic);
    const two = registryOn(topic);
    await one.setCompatibility('NONE');
    await two.start();
    const jobs = Array.from({ length: 12 }, (_, i) =>
      (i % 2 === 0 ? one : two).registerSchema('race', record(`R${i}`), 'AVRO').then((id) => ({ i, id })),
    );
    const results = await Promise.all(jobs);
    expect(new Set(results.map((r) => r.id)).size).toBe(12);
    const versions = await one.listVersions('race');
    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('never hands one id to two schemas when two processes register concurrently', async () => {
    const topic = uniqueName('schemas');
    const [a, b] = await Promise.all([spawnWorker(topic, 'a', 10), spawnWorker(topic, 'b', 10)]);
    const idToSchema = new Map<number, string>();
    for (const r of [...a.results, ...b.results]) {
      const known = idToSchema.get(r.id);
      expect(known === undefined || known === r.schema).toBe(true);
      idToSchema.set(r.id, r.schema);
    }
    // Shared schemas got one id in both processes; every distinct schema has its own id.
    expect(new Set(idToSchema.values()).size).toBe(idToSchema.size);
    expect(idToSchema.size).toBe(15);
    const observer = registryOn(topic);
    for (const [id, schema] of idToSchema) expect((await observer.getSchemaById(id)).schema).toBe(schema);
    const versions = (await Promise.all(['race-0', 'race-1', 'race-2'].map((s) => observer.listVersions(s)))).flat();
    expect(versions.length).toBe(15);
  }, 120_000);

  it('connects through SASL/PLAIN', async () => {
    const sasl = kafkaSaslBrokers();
    // Jest's global setup exports it with its own broker; export it too when using an external KAFKA_BROKERS.
    if (!sasl) throw new Error('KAFKA_SASL_BROKERS is not set (the SASL_PLAINTEXT listener of the test broker)');
    const registry = new KafkaSchemaRegistry({
      bootstrapServers: sasl,
      topic: uniqueName('schemas'),
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    });
    open.push(registry);
    expect(await registry.registerSchema('s', record('S'), 'AVRO')).toBe(1);
  });

  it('fails with SCHEMA_REGISTRY_STORE when the cluster is unreachable', async () => {
    const registry = new KafkaSchemaRegistry({ bootstrapServers: ['127.0.0.1:1'], topic: uniqueName('schemas'), timeoutMs: 2000 });
    open.push(registry);
    await expect(registry.getSchema('x')).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_STORE' });
  }, 60_000);

  it('validates its options in the constructor', () => {
    expect(() => new KafkaSchemaRegistry({ bootstrapServers: [] })).toThrow('`bootstrapServers` must be a non-empty array of "host:port" strings, got an array of length 0');
    expect(() => new KafkaSchemaRegistry({ bootstrapServers: ['h:1'], topic: 'bad topic' })).toThrow(expect.objectContaining({ code: 'SCHEMA_REGISTRY_INVALID_OPTION' }));
    expect(() => new KafkaSchemaRegistry({ bootstrapServers: ['h:1'], timeoutMs: -5 })).toThrow('`timeoutMs` must be a positive integer, got -5');
    // The shared renderer: an object is named, never serialised (it may carry credentials).
    expect(() => new KafkaSchemaRegistry({ bootstrapServers: ['h:1'], clientId: { sasl: 'secret' } as never })).toThrow('`clientId` must be a non-empty string, got an object');
    expect(() => new KafkaSchemaRegistry({ bootstrapServers: ['h:1'], defaultCompatibility: 'X' as never })).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID_LEVEL' }));
  });
});
