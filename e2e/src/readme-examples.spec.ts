// Runs every package README's "Quick start" TypeScript example and every per-package example of
// the root README with tsx, so the documentation cannot rot. Examples run against the test broker
// (the README default 127.0.0.1:9092 is rewritten to KAFKA_BROKERS). Root README examples state
// their output in `// prints: …` comments, which are checked line by line.
import fs from 'node:fs';
import path from 'node:path';
import { KafkaClient } from '@onex/kafka';
import { kafkaBrokers } from '../../tools/jest/kafka-env.js';
import { startTsx, workspaceRoot } from './support/child.js';

interface Example {
  readonly name: string;
  readonly code: string;
}

/** The ```ts blocks of a markdown file that sit under a heading matching `heading` (up to the next heading of the same or a higher level). */
export function examplesUnder(markdown: string, heading: RegExp, first = false): string[] {
  const blocks: string[] = [];
  let level = 0;
  let inBlock = false;
  let current: string[] = [];
  for (const line of markdown.split('\n')) {
    if (inBlock) {
      if (line.startsWith('```')) {
        inBlock = false;
        if (level > 0) blocks.push(current.join('\n'));
        if (first && blocks.length > 0) return blocks;
      } else current.push(line);
      continue;
    }
    const h = /^(#+)\s+(.*)$/.exec(line);
    if (h) {
      const depth = h[1]!.length;
      if (heading.test(h[2]!)) level = depth;
      else if (level > 0 && depth <= level) level = 0;
      continue;
    }
    if (/^```(ts|typescript)\s*$/.test(line)) {
      inBlock = true;
      current = [];
    }
  }
  return blocks;
}

const packages = fs.readdirSync(path.join(workspaceRoot, 'packages')).sort();
const examples: Example[] = [];
for (const pkg of packages) {
  const readme = path.join(workspaceRoot, 'packages', pkg, 'README.md');
  if (!fs.existsSync(readme)) continue;
  const [code] = examplesUnder(fs.readFileSync(readme, 'utf8'), /^quick start/i, true);
  if (code) examples.push({ name: `packages/${pkg}/README.md quick start`, code });
}
const rootExamples = examplesUnder(fs.readFileSync(path.join(workspaceRoot, 'README.md'), 'utf8'), /^using one package on its own/i);
rootExamples.forEach((code, i) => examples.push({ name: `README.md example ${i + 1} (${/from '(@onex\/[a-z-]+)'/.exec(code)?.[1] ?? '?'})`, code }));

const dir = path.join(workspaceRoot, 'tmp', 'readme-examples');
const PRECONDITION_TOPICS: Record<string, readonly string[]> = {
  'packages/kafka-extended/README.md quick start': ['orders'],
};
const kafka = new KafkaClient({ bootstrapServers: kafkaBrokers(), logLevel: 'nothing' });

beforeAll(() => fs.mkdirSync(dir, { recursive: true }));
afterAll(() => kafka.close());

describe('README examples', () => {
  it('finds a quick start in every package README and one example per package in the root README', () => {
    expect(examples.filter((e) => e.name.startsWith('packages/')).map((e) => e.name.split('/')[1])).toEqual(packages);
    expect(rootExamples.length).toBeGreaterThanOrEqual(7);
  });

  it.each(examples.map((e) => [e.name, e] as const))('%s runs and prints what it says', async (_name, example) => {
    const file = path.join(dir, `${example.name.replace(/[^a-z0-9]+/gi, '-')}.mts`);
    const broker = kafkaBrokers()[0]!;
    fs.writeFileSync(file, example.code.replaceAll('127.0.0.1:9092', broker));
    // Preconditions a README states in prose ("the existing topic 'orders'").
    for (const topic of PRECONDITION_TOPICS[example.name] ?? []) await kafka.createTopic(topic, 1, 1);
    const child = startTsx(file, { KAFKA_BROKERS: kafkaBrokers().join(',') });
    const code = await child.exited;
    const stdout = child.stdout();
    expect({ code, stderr: code === 0 ? '' : child.stderr().slice(-3000) }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trim().length).toBeGreaterThan(0);
    const promised = [...example.code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1]!.trim());
    for (const line of promised) expect(stdout.split('\n').map((l) => l.trim())).toContain(line);
  }, 90_000);
});
