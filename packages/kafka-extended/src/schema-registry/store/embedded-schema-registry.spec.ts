import diagnosticsChannel from 'node:diagnostics_channel';
import { InMemorySchemaRegistry } from '../in-memory-schema-registry.js';

const user = (fields: unknown[] = []) => ({ type: 'record', name: 'User', fields: [{ name: 'id', type: 'string' }, ...fields] });
const withEmail = user([{ name: 'email', type: 'string', default: '' }]);
const withAge = user([{ name: 'age', type: 'int' }]);

describe(InMemorySchemaRegistry, () => {
  let registry: InMemorySchemaRegistry;
  beforeEach(() => {
    registry = new InMemorySchemaRegistry();
  });
  afterEach(async () => {
    await registry.close();
  });

  it('numbers versions 1..n within a subject and ids globally', async () => {
    const a = await registry.registerSchema('users-value', user(), 'AVRO');
    const b = await registry.registerSchema('users-value', withEmail, 'AVRO');
    expect([a, b]).toEqual([1, 2]);
    expect(await registry.listVersions('users-value')).toEqual([1, 2]);
    const latest = await registry.getSchema('users-value');
    expect(latest).toMatchObject({ id: 2, version: 2, subject: 'users-value', schemaType: 'AVRO', references: [] });
    expect((await registry.getSchema('users-value', { version: 1 })).id).toBe(1);
  });

  it('returns the existing id when an identical schema is registered again', async () => {
    const first = await registry.registerSchema('s', user(), 'AVRO');
    const again = await registry.registerSchema('s', JSON.stringify(user(), null, 2), 'AVRO');
    expect(again).toBe(first);
    expect(await registry.listVersions('s')).toEqual([1]);
    expect(registry.getMetrics()).toMatchObject({ registrations: 1, idempotentRegistrations: 1 });
  });

  it('keeps one id for the same schema under different subjects', async () => {
    const a = await registry.registerSchema('a-value', user(), 'AVRO');
    const b = await registry.registerSchema('b-value', user(), 'AVRO');
    expect(b).toBe(a);
    expect(await registry.getSubjectVersionsById(a)).toEqual([
      { subject: 'a-value', version: 1 },
      { subject: 'b-value', version: 1 },
    ]);
  });

  it('refuses an incompatible schema with the reasons and keeps the subject unchanged', async () => {
    await registry.registerSchema('s', user(), 'AVRO');
    const error = await registry.registerSchema('s', withAge, 'AVRO').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', messages: [expect.stringContaining('default-less')] });
    expect(await registry.listVersions('s')).toEqual([1]);
    expect(await registry.checkSchemaCompatibility('s', withAge)).toEqual({ isCompatible: false, messages: [expect.stringContaining('version 1 (backward)')] });
    expect(await registry.checkSchemaCompatibility('s', withEmail)).toEqual({ isCompatible: true, messages: [] });
  });

  it('applies subject levels over the global level over the default', async () => {
    expect(await registry.getCompatibility()).toBe('BACKWARD');
    await registry.setCompatibility('NONE');
    await registry.registerSchema('s', user(), 'AVRO');
    expect(await registry.registerSchema('s', withAge, 'AVRO')).toBe(2);
    await registry.setCompatibility('FORWARD', 's');
    expect(await registry.getCompatibility('s')).toBe('FORWARD');
    expect(await registry.getSubjectCompatibility('s')).toBe('FORWARD');
    await registry.deleteSubjectCompatibility('s');
    expect(await registry.getSubjectCompatibility('s')).toBeUndefined();
    expect(await registry.getCompatibility('s')).toBe('NONE');
  });

  it('checks transitive levels against every version and plain levels against the latest only', async () => {
    const v1 = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] };
    const v2 = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 0 }] };
    const v3 = { type: 'record', name: 'R', fields: [{ name: 'b', type: 'int', default: 0 }, { name: 'c', type: 'string', default: '' }] };
    await registry.setCompatibility('FORWARD', 'plain');
    await registry.setCompatibility('FORWARD_TRANSITIVE', 'transitive');
    for (const subject of ['plain', 'transitive']) {
      await registry.registerSchema(subject, v1, 'AVRO');
      await registry.registerSchema(subject, v2, 'AVRO');
    }
    // v1 readers need `a`, which v3 drops; v2 readers have a default for the fields they need.
    expect((await registry.checkSchemaCompatibility('plain', v3)).isCompatible).toBe(false);
    const v3b = { ...v3, fields: [{ name: 'a', type: 'int' }, ...v3.fields] };
    expect((await registry.checkSchemaCompatibility('plain', v3b)).isCompatible).toBe(true);
    const v4 = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'long' }, { name: 'b', type: 'int', default: 0 }] };
    await registry.setCompatibility('NONE', 'plain');
    await registry.registerSchema('plain', { type: 'record', name: 'R', fields: [{ name: 'a', type: 'long' }] }, 'AVRO');
    await registry.setCompatibility('FORWARD', 'plain');
    expect((await registry.checkSchemaCompatibility('plain', v4)).isCompatible).toBe(true);
    await registry.registerSchema('transitive', v3b, 'AVRO');
    expect((await registry.checkSchemaCompatibility('transitive', v4)).messages).toEqual(
      expect.arrayContaining([expect.stringContaining('version 1 (forward)'), expect.stringContaining('version 2 (forward)')]),
    );
  });

  it('soft-deletes versions and subjects, then hard-deletes them', async () => {
    await registry.registerSchema('s', user(), 'AVRO');
    await registry.registerSchema('s', withEmail, 'AVRO');
    expect(await registry.deleteSchemaVersion('s', 2)).toBe(2);
    expect((await registry.getSchema('s')).version).toBe(1);
    expect(await registry.listVersions('s', { deleted: true })).toEqual([1, 2]);
    expect((await registry.getSchemaById(2)).schema).toContain('email');
    await expect(registry.deleteSubject('s', { permanent: true })).rejects.toMatchObject({ code: 'SCHEMA_NOT_SOFT_DELETED' });
    expect(await registry.deleteSubject('s')).toEqual([1]);
    await expect(registry.getSchema('s')).rejects.toMatchObject({ code: 'SCHEMA_SUBJECT_NOT_FOUND' });
    expect(await registry.listSubjects()).toEqual([]);
    expect(await registry.listSubjects({ deleted: true })).toEqual(['s']);
    expect(await registry.deleteSubject('s', { permanent: true })).toEqual([1, 2]);
    await expect(registry.getSchemaById(1)).rejects.toMatchObject({ code: 'SCHEMA_ID_NOT_FOUND' });
    expect(await registry.listSubjects({ deleted: true })).toEqual([]);
  });

  it('gives a new version to a schema re-registered after a soft delete', async () => {
    const id = await registry.registerSchema('s', user(), 'AVRO');
    await registry.deleteSubject('s');
    expect(await registry.registerSchema('s', user(), 'AVRO')).toBe(id);
    expect(await registry.listVersions('s')).toEqual([2]);
  });

  it('resolves references for all three types and refuses to delete a referenced version', async () => {
    await registry.registerSchema('address', { type: 'record', name: 'Address', namespace: 'acme', fields: [{ name: 'city', type: 'string' }] }, 'AVRO');
    const ref = [{ name: 'acme.Address', subject: 'address', version: 1 }];
    const id = await registry.registerSchema('person', { type: 'record', name: 'Person', namespace: 'acme', fields: [{ name: 'home', type: 'acme.Address' }] }, 'AVRO', { references: ref });
    expect((await registry.getSchemaById(id)).references).toEqual(ref);
    await expect(registry.deleteSubject('address')).rejects.toMatchObject({ code: 'SCHEMA_REFERENCED' });

    await registry.registerSchema('money', { type: 'object', properties: { cents: { type: 'integer' } } }, 'JSON');
    await registry.registerSchema('invoice', { type: 'object', properties: { total: { $ref: 'money.json' } } }, 'JSON', { references: [{ name: 'money.json', subject: 'money', version: 1 }] });

    await registry.registerSchema('common.proto', 'syntax = "proto3"; package acme; message Money { int64 cents = 1; }', 'PROTOBUF');
    const protoId = await registry.registerSchema('order', 'syntax = "proto3"; package acme; import "common.proto"; message Order { Money total = 1; }', 'PROTOBUF', {
      references: [{ name: 'common.proto', subject: 'common.proto', version: 1 }],
    });
    expect((await registry.getSchema('order')).id).toBe(protoId);
    await expect(registry.registerSchema('broken', { type: 'record', name: 'X', fields: [{ name: 'a', type: 'acme.Address' }] }, 'AVRO', {
      references: [{ name: 'acme.Address', subject: 'address', version: 9 }],
    })).rejects.toMatchObject({ code: 'SCHEMA_REFERENCE_NOT_FOUND' });
  });

  it('looks up the version holding a schema', async () => {
    await registry.registerSchema('s', user(), 'AVRO');
    expect(await registry.lookupSchema('s', user())).toMatchObject({ version: 1, id: 1 });
    await expect(registry.lookupSchema('s', withEmail)).rejects.toMatchObject({ code: 'SCHEMA_NOT_FOUND' });
  });

  it('refuses a schema type change under a subject', async () => {
    await registry.setCompatibility('BACKWARD', 'mixed');
    await registry.registerSchema('mixed', user(), 'AVRO');
    await expect(registry.registerSchema('mixed', { type: 'object' }, 'JSON')).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
  });

  it('publishes a diagnostics event for each new registration', async () => {
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    diagnosticsChannel.subscribe('onex:kafka-extended:schema-registered', listener);
    try {
      await registry.registerSchema('events', user(), 'AVRO');
    } finally {
      diagnosticsChannel.unsubscribe('onex:kafka-extended:schema-registered', listener);
    }
    expect(seen).toEqual([{ subject: 'events', version: 1, id: 1, schemaType: 'AVRO' }]);
  });

  it('rejects bad input with typed errors', async () => {
    await expect(registry.registerSchema('s', '{"type":"recordz"}', 'AVRO')).rejects.toMatchObject({ code: 'SCHEMA_INVALID' });
    await expect(registry.registerSchema('s', user(), 'XML' as never)).rejects.toMatchObject({ code: 'SCHEMA_INVALID', message: expect.stringContaining('`schemaType`') });
    await expect(registry.getSchema('nope')).rejects.toMatchObject({ code: 'SCHEMA_SUBJECT_NOT_FOUND' });
    await registry.registerSchema('s', user(), 'AVRO');
    await expect(registry.getSchema('s', { version: 7 })).rejects.toMatchObject({ code: 'SCHEMA_VERSION_NOT_FOUND' });
    await expect(registry.getSchema('s', { version: 0 })).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_INVALID_ARGUMENT' });
    await expect(registry.getSchemaById(999)).rejects.toMatchObject({ code: 'SCHEMA_ID_NOT_FOUND' });
    await expect(registry.setCompatibility('SIDEWAYS' as never)).rejects.toMatchObject({ code: 'SCHEMA_INVALID_LEVEL', message: expect.stringContaining('SIDEWAYS') });
    await expect(registry.registerSchema('', user(), 'AVRO')).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_INVALID_ARGUMENT' });
    expect(() => new InMemorySchemaRegistry({ defaultCompatibility: 'SOME' as never })).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID_LEVEL' }));
  });

  it('throws SCHEMA_REGISTRY_CLOSED after close', async () => {
    await registry.close();
    await expect(registry.getSchema('s')).rejects.toMatchObject({ code: 'SCHEMA_REGISTRY_CLOSED' });
  });
});
