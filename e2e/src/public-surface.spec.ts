// The rules of the toolkit's public surface (issue 19), checked on what each package's entry point really
// exports: diagnostics channels are published as names only, in one `<PACKAGE>_CHANNELS` constant of
// `onex:<package>:<event>` strings that lists every channel the package publishes on; no entry point
// re-exports from an `internal/` folder; error class names are unique across the toolkit. The API reports
// (packages/<pkg>/api/*.api.md, `npm run api:check`) guard the rest of the surface.
import { spawnSync } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import path from 'node:path';
import * as bridge from '@onex/bridge';
import * as circuitBreaker from '@onex/circuit-breaker';
import * as http from '@onex/http';
import * as httpExtended from '@onex/http-extended';
import * as kafka from '@onex/kafka';
import * as kafkaExtended from '@onex/kafka-extended';
import * as spiTypes from '@onex/spi-types';
import { workspaceRoot } from './support/child.js';

type Exports = Readonly<Record<string, unknown>>;

const adapters: ReadonlyArray<readonly [string, Exports]> = [
  ['bridge', bridge],
  ['circuit-breaker', circuitBreaker],
  ['http', http],
  ['http-extended', httpExtended],
  ['kafka', kafka],
  ['kafka-extended', kafkaExtended],
];
const packages: ReadonlyArray<readonly [string, Exports]> = [['spi-types', spiTypes], ...adapters];

/** Exports that are a live `diagnostics_channel` Channel, or an object holding one (anyone could publish on it). */
function liveChannelExports(exports: Exports): string[] {
  const isChannel = (value: unknown): boolean => value instanceof diagnosticsChannel.Channel;
  return Object.entries(exports)
    .filter(([, value]) => isChannel(value) || (typeof value === 'object' && value !== null && Object.values(value).some(isChannel)))
    .map(([name]) => name);
}

/** Exports that are, or hold, an `onex:` channel name. */
function channelNameExports(exports: Exports): string[] {
  const isName = (value: unknown): boolean => typeof value === 'string' && value.startsWith('onex:');
  return Object.entries(exports)
    .filter(([, value]) => isName(value) || (typeof value === 'object' && value !== null && Object.values(value).some(isName)))
    .map(([name]) => name);
}

/** `export … from '…/internal/…'` lines of an entry-point source. */
function internalReExports(source: string): string[] {
  return source.split('\n').filter((line) => /^\s*export\b.*\bfrom\s+['"](?:\.\.?\/)+(?:[\w.-]+\/)*internal\//.test(line));
}

/** `src/index.ts` of a package and the `public-api.ts` files it re-exports, as [relative path, source]. */
function entrySources(pkg: string): Array<readonly [string, string]> {
  const src = path.join(workspaceRoot, 'packages', pkg, 'src');
  const index = fs.readFileSync(path.join(src, 'index.ts'), 'utf8');
  const files: Array<readonly [string, string]> = [['src/index.ts', index]];
  for (const match of index.matchAll(/from\s+'\.\/([\w/.-]*public-api)\.js'/g)) {
    const file = `${match[1]}.ts`;
    files.push([`src/${file}`, fs.readFileSync(path.join(src, file), 'utf8')]);
  }
  return files;
}

/** Every `'onex:<pkg>:…'` string literal in a package's non-test sources. */
function channelLiterals(pkg: string): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
        for (const match of fs.readFileSync(file, 'utf8').matchAll(new RegExp(`['"\`](onex:${pkg}:[a-z0-9:-]+)['"\`]`, 'g'))) found.add(match[1]!);
      }
    }
  };
  walk(path.join(workspaceRoot, 'packages', pkg, 'src'));
  return found;
}

/** `onex:<pkg>:<event>`, an event being kebab-case words, optionally `:`-separated (`onex:http:request:start`). */
function channelNamePattern(pkg: string): RegExp {
  return new RegExp(`^onex:${pkg}(:[a-z][a-z0-9]*(-[a-z0-9]+)*)+$`);
}

function constantName(pkg: string): string {
  return `${pkg.toUpperCase().replaceAll('-', '_')}_CHANNELS`;
}

describe('public surface', () => {
  describe('diagnostics channels', () => {
    it('are recognised when an entry point exports a live Channel object or a second name shape (control)', () => {
      const control: Exports = {
        channels: { produced: diagnosticsChannel.channel('onex:control:produced') },
        channel: diagnosticsChannel.channel('onex:control:single'),
        CONTROL_CHANNELS: { produced: 'onex:control:produced' },
      };
      expect(liveChannelExports(control)).toEqual(['channels', 'channel']);
      expect(channelNameExports(control)).toEqual(['channel', 'CONTROL_CHANNELS']);
      expect(['onex:kafka:produce-batch', 'onex:http:request:start', 'onex:http-extended:oauth2-fetch'].map((n) => channelNamePattern(n.split(':')[1]!).test(n))).toEqual([true, true, true]);
      expect(['onex:kafka:produceBatch', 'onex:kafka-extended:commit', 'kafka:commit', 'onex:kafka:'].map((n) => channelNamePattern('kafka').test(n))).toEqual([false, false, false, false]);
    });

    it.each(adapters)('@onex/%s exports no live Channel object', (_pkg, exports) => {
      expect(liveChannelExports(exports)).toEqual([]);
    });

    it.each(adapters)('@onex/%s exports its channel names only as <PACKAGE>_CHANNELS of onex:<package>:<event> strings', (pkg, exports) => {
      const name = constantName(pkg);
      const constant = exports[name] as Readonly<Record<string, unknown>> | undefined;
      expect(constant).toEqual(expect.any(Object));
      for (const value of Object.values(constant ?? {})) expect(value).toMatch(channelNamePattern(pkg));
      // A deprecated alias is the same object, not a second shape.
      expect(channelNameExports(exports).filter((other) => exports[other] !== constant)).toEqual([]);
    });

    it.each(adapters)('@onex/%s names every channel it publishes on in its <PACKAGE>_CHANNELS', (pkg, exports) => {
      const published = new Set(Object.values((exports[constantName(pkg)] ?? {}) as Record<string, string>));
      expect([...channelLiterals(pkg)].filter((literal) => !published.has(literal)).sort()).toEqual([]);
    });

    it.each(adapters)('a subscriber of a name in @onex/%s receives what the package publishes under it', (pkg, exports) => {
      // Subscribers and the package meet through node:diagnostics_channel's registry, by name.
      const names = Object.values((exports[constantName(pkg)] ?? {}) as Record<string, string>);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        const received: unknown[] = [];
        const listener = (message: unknown): void => {
          received.push(message);
        };
        diagnosticsChannel.subscribe(name, listener);
        try {
          diagnosticsChannel.channel(name).publish({ probe: name });
        } finally {
          diagnosticsChannel.unsubscribe(name, listener);
        }
        expect(received).toEqual([{ probe: name }]);
      }
    });
  });

  describe('entry points', () => {
    it('recognise a re-export from internal/ (control)', () => {
      const control = [
        "export { murmur2 } from './internal/murmur2.js';",
        "export * from '../streams/internal/channels.js';",
        "export type { Route } from './rules/routing-table.js';",
        "import { x } from './internal/x.js';",
      ].join('\n');
      expect(internalReExports(control)).toEqual(["export { murmur2 } from './internal/murmur2.js';", "export * from '../streams/internal/channels.js';"]);
    });

    it.each(packages.map(([pkg]) => pkg))('@onex/%s re-exports nothing from an internal/ folder', (pkg) => {
      const offending = entrySources(pkg).flatMap(([file, source]) => internalReExports(source).map((line) => `${file}: ${line.trim()}`));
      expect(offending).toEqual([]);
    });
  });

  describe('error classes', () => {
    /** Error class name → the packages exporting a distinct class of that name. */
    function errorClassOwners(): Map<string, string[]> {
      const owners = new Map<string, Map<unknown, string[]>>();
      for (const [pkg, exports] of packages) {
        for (const value of Object.values(exports)) {
          if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
          const byClass = owners.get(value.name) ?? new Map<unknown, string[]>();
          byClass.set(value, [...(byClass.get(value) ?? []), pkg]);
          owners.set(value.name, byClass);
        }
      }
      const result = new Map<string, string[]>();
      for (const [name, byClass] of owners) if (byClass.size > 1) result.set(name, [...byClass.values()].map((pkgs) => pkgs[0]!));
      return result;
    }

    it('have names unique across the toolkit (the same class re-exported counts once)', () => {
      expect([...errorClassOwners()]).toEqual([]);
    });

    it("keep http-extended's former HttpStatusError name as a deprecated alias of HttpExtendedStatusError, code unchanged", () => {
      const error = new httpExtended.HttpExtendedStatusError('GET', 'http://127.0.0.1/x', 503, '');
      expect(error.name).toBe('HttpExtendedStatusError');
      expect(error.code).toBe('HTTPX_STATUS');
      expect(httpExtended.HttpStatusError).toBe(httpExtended.HttpExtendedStatusError);
      expect(httpExtended.isHttpExtendedStatusError(error)).toBe(true);
      expect(http.HttpStatusError.name).toBe('HttpStatusError');
      expect(http.isHttpStatusError(error)).toBe(false);
    });
  });

  describe('API report check', () => {
    // The api-check target of every package (`api-extractor run` with api-extractor.base.json) on a scratch package
    // under tmp/: the committed report matches, then an export is added without updating the report.
    const scratch = path.join(workspaceRoot, 'tmp', `api-report-check-${process.pid}`);
    const project = path.join(scratch, 'packages', 'scratch');
    const apiExtractor = (...args: string[]): { status: number | null; output: string } => {
      const run = spawnSync(path.join(workspaceRoot, 'node_modules', '.bin', 'api-extractor'), ['run', ...args, '-c', 'api-extractor.json'], {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      });
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    };

    beforeAll(() => {
      fs.mkdirSync(path.join(project, 'dist'), { recursive: true });
      fs.mkdirSync(path.join(project, 'api'), { recursive: true });
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: '@onex/scratch', version: '0.0.0', types: './dist/index.d.ts' }));
      fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ files: [] }));
      fs.writeFileSync(path.join(project, 'api-extractor.json'), JSON.stringify({ extends: path.join(workspaceRoot, 'api-extractor.base.json'), projectFolder: '.' }));
      fs.writeFileSync(path.join(project, 'dist', 'index.d.ts'), '/** One. */\nexport declare const one: number;\n');
      expect(apiExtractor('--local').status).toBe(0); // writes the report, as `npm run api:update` does
    }, 120_000);

    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it('passes while the API matches the committed report (control), and fails on an export the report does not have', () => {
      const unchanged = apiExtractor();
      expect(unchanged).toMatchObject({ status: 0 });
      fs.appendFileSync(path.join(project, 'dist', 'index.d.ts'), '/** Two. */\nexport declare const two: number;\n');
      const changed = apiExtractor();
      expect(changed.status).not.toBe(0);
      expect(changed.output).toContain('You have changed the API signature for this project');
      expect(fs.readFileSync(path.join(project, 'api', 'scratch.api.md'), 'utf8')).not.toContain('two');
    }, 120_000);
  });
});
