import fc from 'fast-check';
import { RuleEngine } from './rule-engine.js';

const ctx = (payload: unknown, headers: Record<string, string> = {}) => ({ payload, headers, metadata: {}, key: null });

describe(RuleEngine, () => {
  const engine = new RuleEngine();

  it.each([
    ["payload.event == 'user_login'", { event: 'user_login' }, true],
    ['payload.amount > 100 && payload.currency in ["EUR", "USD"]', { amount: 150, currency: 'EUR' }, true],
    ['has(payload.user) && payload.user.age >= 18', { user: { age: 17 } }, false],
    ["payload.tags.exists(t, t == 'vip')", { tags: ['a', 'vip'] }, true],
    ['payload.items.size() == 2', { items: [1, 2] }, true],
    ["payload.name.startsWith('a') || payload.name.endsWith('z')", { name: 'bob' }, false],
  ])('evaluates %s', (source, payload, expected) => {
    expect(engine.compile(source, 'rule').evaluate(ctx(payload))).toBe(expected);
  });

  it('rejects a syntax error with its line and column', () => {
    expect(() => engine.compile("payload.a == 1 &&\n  payload.b ==", 'routingRules[2].condition')).toThrow(
      expect.objectContaining({ code: 'BRIDGE_RULE_SYNTAX', message: expect.stringMatching(/^routingRules\[2\]\.condition has an error at line 2, column 15/) }),
    );
  });

  it('rejects unknown variables and type errors at compile time', () => {
    expect(() => engine.compile('process.exit == 1', 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_SYNTAX', message: expect.stringContaining('Unknown variable: process') }));
    expect(() => engine.compile("1 + 'a'", 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_SYNTAX' }));
  });

  it('rejects expressions over the size and depth limits', () => {
    expect(() => engine.compile(`payload.a == '${'x'.repeat(3000)}'`, 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_TOO_LARGE', message: expect.stringContaining('exceed maxLength 2048') }));
    expect(() => engine.compile(Array.from({ length: 90 }, (_, i) => `payload.a == ${i}`).join(' || '), 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_TOO_LARGE', message: expect.stringContaining('maxAstNodes') }));
    expect(() => engine.compile(`${'('.repeat(40)}true${')'.repeat(40)}`, 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_TOO_LARGE' }));
  });

  it('refuses regular expressions and nested comprehensions, whose cost is unbounded', () => {
    expect(() => engine.compile("payload.s.matches('^(a+)+$')", 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_UNSAFE', message: expect.stringContaining("'matches()' is refused") }));
    expect(() => engine.compile('payload.a.exists(x, payload.b.exists(y, x == y))', 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_UNSAFE', message: expect.stringContaining('maxComprehensionDepth 1') }));
  });

  it('refuses membership in a payload list inside a comprehension, whose cost is the product of both sizes', () => {
    const quadratic = 'payload.a.exists(x, x in payload.b)';
    expect(() => engine.compile(quadratic, 'routingRules[0].condition')).toThrow(
      expect.objectContaining({
        code: 'BRIDGE_RULE_UNSAFE',
        message: expect.stringMatching(/^routingRules\[0\]\.condition is refused at line 1, column 21: 'in' inside a comprehension/),
      }),
    );
    for (const source of ['payload.a.filter(x, x in payload.b.c).size() > 0', 'payload.m.map(k, k in payload.m)', "payload.a.all(x, x == 'z' || (x in key))"]) {
      expect(() => engine.compile(source, 'c')).toThrow(expect.objectContaining({ code: 'BRIDGE_RULE_UNSAFE', message: expect.stringContaining("'in' inside a comprehension") }));
    }
    // Literal lists and maps are bounded by maxListElements / maxMapEntries, headers and metadata are
    // maps (one lookup), and `in` outside a comprehension runs once.
    const a = Array.from({ length: 20_000 }, (_, i) => `s${i}`);
    expect(engine.compile('payload.a.exists(x, x in headers || x in metadata)', 'c').evaluate(ctx({ a }, { s7: 'v' }))).toBe(true);
    expect(engine.compile("payload.a.exists(x, x in ['s1', 's2'])", 'c').evaluate(ctx({ a }))).toBe(true);
    expect(engine.compile("payload.a.exists(x, x in {'s3': 1})", 'c').evaluate(ctx({ a }))).toBe(true);
    expect(engine.compile("'s19999' in payload.a", 'c').evaluate(ctx({ a }))).toBe(true);
  });

  it('validates its limits', () => {
    expect(() => new RuleEngine({ maxAstNodes: 0 })).toThrow('`ruleLimits.maxAstNodes` must be a positive integer, got 0');
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'])(
    'never reads the inherited property %s',
    (name) => {
      for (const source of [`payload.${name} != null`, `payload['${name}'] != null`, `has(payload.${name})`, `headers.${name} != null`]) {
        let value: unknown;
        try {
          value = engine.compile(source, 'c').evaluate(ctx({ a: 1 }, { a: 'b' }));
        } catch (error) {
          value = (error as Error).message;
        }
        expect(value === false || /No such key|Cannot index|no such overload/i.test(String(value))).toBe(true);
      }
    },
  );

  it.each(['{}', '"x"', 'null', '[]', '1'])('evaluates a payload and headers whose own constructor key is %s', (value) => {
    const payload = JSON.parse(`{"event":"fraud","constructor":${value},"__proto__":{"a":1},"toString":1,"hasOwnProperty":"h"}`) as unknown;
    const headers = JSON.parse(`{"region":"eu","constructor":"c","__proto__":"p"}`) as Record<string, string>;
    const run = (source: string) => engine.compile(source, 'c').evaluate(ctx(payload, headers));
    expect(run("payload.event == 'fraud'")).toBe(true);
    expect(run("headers.region == 'eu' && headers['__proto__'] == 'p' && headers['constructor'] == 'c'")).toBe(true);
    expect(run("has(payload.toString) && payload.hasOwnProperty == 'h' && payload['__proto__'].a == 1.0")).toBe(true);
    expect(run('payload.size() == 5')).toBe(true);
    expect(run("payload.all(k, k != 'polluted')")).toBe(true);
  });

  it('never crashes or touches prototypes on arbitrary expression text (fuzz)', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (source) => {
        try {
          engine.compile(source, 'fuzz').evaluate(ctx({ a: 1, s: 'x', l: [1, 2] }));
        } catch (error) {
          // Any failure must be an ordinary Error, never a crash of the process.
          expect(error).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 2000 },
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });

  it('evaluates grammar-built expressions over hostile payloads without reaching a prototype (fuzz)', () => {
    const keys = fc.constantFrom('a', 'b', '__proto__', 'constructor', 'prototype', 'toString', 'polluted', 'length', 'map');
    const path = fc.array(keys, { minLength: 1, maxLength: 4 }).map((ks) => `payload.${ks.join('.')}`);
    const literal = fc.oneof(fc.integer().map(String), fc.constantFrom("'x'", 'true', 'null', '1.5', '[1]', '{}'));
    const atom = fc.oneof(path, literal, path.map((p) => `has(${p})`), path.map((p) => `size(${p})`));
    const expr = fc.tuple(atom, fc.constantFrom('==', '!=', '<', '+', '&&', '||', 'in'), atom).map(([l, op, r]) => `${l} ${op} ${r}`);
    const payload = fc.jsonValue().map((v) => ({ a: v, b: JSON.parse('{"__proto__": {"polluted": true}}') }));
    fc.assert(
      fc.property(expr, payload, (source, value) => {
        let compiled;
        try {
          compiled = engine.compile(source, 'fuzz');
        } catch (error) {
          expect((error as { code?: string }).code).toMatch(/^BRIDGE_RULE_/);
          return;
        }
        try {
          const result = compiled.evaluate(ctx(value));
          expect(typeof result === 'function').toBe(false);
          expect(result === Object.prototype || result === Function.prototype).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });
});
