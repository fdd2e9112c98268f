import { COMPATIBILITY_LEVELS, InMemorySchemaRegistry, isCompatibilityLevel, type CompatibilityLevel } from './public-api.js';

// Each history: three versions registered under NONE, then a candidate that is compatible both ways
// with the latest version and incompatible both ways with versions 1 and 2.
const HISTORIES = {
  JSON: {
    versions: [{ enum: ['red'] }, { enum: ['blue'] }, { enum: ['green'] }].map((s) => JSON.stringify(s)),
    candidate: JSON.stringify({ title: 'Colour', enum: ['green'] }),
  },
  PROTOBUF: {
    versions: ['int32', 'fixed64', 'string'].map((type) => `syntax = "proto3";\npackage acme;\nmessage Order { ${type} x = 1; }\n`),
    candidate: 'syntax = "proto3";\npackage acme;\nmessage Order { bytes x = 1; }\n',
  },
} as const;

const LEVELS: [CompatibilityLevel, boolean][] = [
  ['BACKWARD', true],
  ['FORWARD', true],
  ['FULL', true],
  ['BACKWARD_TRANSITIVE', false],
  ['FORWARD_TRANSITIVE', false],
  ['FULL_TRANSITIVE', false],
];

describe('compatibility levels', () => {
  let registry: InMemorySchemaRegistry;
  beforeEach(() => {
    registry = new InMemorySchemaRegistry();
  });
  afterEach(async () => {
    await registry.close();
  });

  async function withHistory(type: keyof typeof HISTORIES, level: CompatibilityLevel): Promise<string> {
    const subject = `orders-${type.toLowerCase()}-${level.toLowerCase()}`;
    await registry.setCompatibility('NONE', subject);
    for (const schema of HISTORIES[type].versions) await registry.registerSchema(subject, schema, type);
    await registry.setCompatibility(level, subject);
    return subject;
  }

  describe.each(Object.keys(HISTORIES) as (keyof typeof HISTORIES)[])('%s', (type) => {
    it.each(LEVELS)('%s checks the candidate against the right versions', async (level, accepted) => {
      const subject = await withHistory(type, level);
      const result = await registry.checkSchemaCompatibility(subject, HISTORIES[type].candidate, { schemaType: type });
      expect(result.isCompatible).toBe(accepted);
      if (!accepted) {
        const text = result.messages.join('\n');
        expect(text).toMatch(/version 1 /);
        expect(text).toMatch(/version 2 /);
        expect(text).not.toMatch(/version 3 /);
      }
    });

    it.each(LEVELS)('%s registers or refuses the candidate accordingly', async (level, accepted) => {
      const subject = await withHistory(type, level);
      const registering = registry.registerSchema(subject, HISTORIES[type].candidate, type);
      if (accepted) {
        await registering;
        expect(await registry.listVersions(subject)).toEqual([1, 2, 3, 4]);
      } else {
        await expect(registering).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', messages: expect.arrayContaining([expect.stringMatching(/^version 1 /)]) });
        expect(await registry.listVersions(subject)).toEqual([1, 2, 3]);
      }
    });
  });

  it('a transitive level checks every live version, not only the first and the latest', async () => {
    // v2 is the only version the candidate breaks.
    const subject = 'orders-middle';
    await registry.setCompatibility('NONE', subject);
    for (const [i, colour] of ['green', 'red', 'green'].entries()) await registry.registerSchema(subject, JSON.stringify({ title: `v${i + 1}`, enum: [colour] }), 'JSON');
    await registry.setCompatibility('FULL_TRANSITIVE', subject);
    const result = await registry.checkSchemaCompatibility(subject, JSON.stringify({ enum: ['green'] }), { schemaType: 'JSON' });
    expect(result.isCompatible).toBe(false);
    expect(result.messages.every((m) => m.startsWith('version 2 '))).toBe(true);
  });

  it('names every level and accepts them case-insensitively', async () => {
    expect(COMPATIBILITY_LEVELS.every(isCompatibilityLevel)).toBe(true);
    expect(await registry.setCompatibility('full_transitive' as CompatibilityLevel)).toBe('FULL_TRANSITIVE');
    await expect(registry.setCompatibility('TRANSITIVE' as CompatibilityLevel)).rejects.toMatchObject({ code: 'SCHEMA_INVALID_LEVEL', message: expect.stringContaining('"TRANSITIVE"') });
  });
});
