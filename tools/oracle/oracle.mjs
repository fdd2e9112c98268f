// Reference implementations our codecs are tested against, differentially.
//
//   import { startAvroOracle, protoc } from '../../tools/oracle/oracle.mjs';
//   const avro = await startAvroOracle();   // one JVM, JSON lines over stdin/stdout (see src/AvroOracle.java)
//   await avro.request({ op: 'compat', reader, writer });
//   await avro.close();
//   protoc(['--encode=acme.Order', 'order.proto'], { cwd, input }); // Debian protobuf-compiler
//
// Apache Avro Java comes from Maven Central once (tools/oracle/.cache/lib) and AvroOracle.java is
// compiled against it (tools/oracle/.cache/classes); later runs reuse both. Nothing here skips: a
// missing java, mvn, javac or protoc is an error that says what to install.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const AVRO_VERSION = '1.12.1';
const CACHE = path.join(here, '.cache');
const LIB_DIR = path.join(CACHE, 'lib');
const CLASSES_DIR = path.join(CACHE, 'classes');
const SOURCE = path.join(here, 'src', 'AvroOracle.java');

function jdkTool(name) {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', name) : name;
}

function run(command, args, what) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`[oracle] ${what}: cannot run ${command} (${result.error.message}); install a JDK 17+ and Maven`);
  if (result.status !== 0) throw new Error(`[oracle] ${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** Downloads Apache Avro Java and compiles the oracle, once per Avro version and source; returns the class path. */
export function ensureAvroOracle({ quiet = false } = {}) {
  const digest = `${AVRO_VERSION}-${fs.statSync(SOURCE).mtimeMs}-${fs.statSync(SOURCE).size}`;
  const libMarker = path.join(LIB_DIR, `.complete-${AVRO_VERSION}`);
  const classesMarker = path.join(CLASSES_DIR, `.complete-${digest}`);
  if (!fs.existsSync(libMarker)) {
    if (!quiet) process.stderr.write(`[oracle] fetching Apache Avro ${AVRO_VERSION} from Maven Central into ${LIB_DIR}\n`);
    run('mvn', ['-B', '-q', '-f', path.join(here, 'pom.xml'), 'dependency:copy-dependencies'], 'mvn dependency:copy-dependencies');
    fs.writeFileSync(libMarker, new Date().toISOString());
  }
  if (!fs.existsSync(classesMarker)) {
    fs.rmSync(CLASSES_DIR, { recursive: true, force: true });
    fs.mkdirSync(CLASSES_DIR, { recursive: true });
    run(jdkTool('javac'), ['-encoding', 'UTF-8', '-cp', `${LIB_DIR}/*`, '-d', CLASSES_DIR, SOURCE], 'javac AvroOracle.java');
    fs.writeFileSync(classesMarker, new Date().toISOString());
  }
  return `${CLASSES_DIR}${path.delimiter}${LIB_DIR}/*`;
}

/**
 * Calls `onLine` with each line of `stream`, split at "\n" only. Not node:readline: on Node 24 (not on Node 20) it also
 * ends a line at U+2028 and U+2029, which JSON leaves unescaped inside strings, so an answer holding such a
 * string arrived cut in two (seen on Node 24 with a generated Avro string).
 * @param {import('node:stream').Readable} stream
 * @param {(line: string) => void} onLine
 */
export function onJsonLines(stream, onLine) {
  stream.setEncoding('utf8');
  let pending = '';
  stream.on('data', (chunk) => {
    pending += chunk;
    let end;
    while ((end = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, end).replace(/\r$/, '');
      pending = pending.slice(end + 1);
      onLine(line);
    }
  });
}

/**
 * Starts one JVM running AvroOracle; requests are answered in order.
 * @returns {Promise<{ request(message: object): Promise<any>, close(): Promise<void> }>}
 */
export async function startAvroOracle() {
  const classPath = ensureAvroOracle();
  const child = spawn(jdkTool('java'), ['-Xshare:auto', '-XX:TieredStopAtLevel=1', '-Xmx256m', '-cp', classPath, 'AvroOracle'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const waiting = [];
  let failure;
  const fail = (error) => {
    failure ??= error;
    for (const { reject } of waiting.splice(0)) reject(failure);
  };
  child.once('error', (error) => fail(new Error(`[oracle] cannot start java: ${error.message}`)));
  child.once('exit', (code, signal) => fail(new Error(`[oracle] the Avro oracle JVM exited (${code ?? signal}): ${stderr}`)));
  onJsonLines(child.stdout, (line) => {
    const next = waiting.shift();
    if (!next) return;
    try {
      next.resolve(JSON.parse(line));
    } catch (error) {
      next.reject(new Error(`[oracle] unreadable answer ${line}: ${error.message}`));
    }
  });
  return {
    request(message) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${JSON.stringify(message)}\n`);
      });
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * Runs protoc (Debian package protobuf-compiler) with `input` on stdin and returns its stdout bytes.
 * @throws when protoc is missing or fails, with its stderr
 */
export function protoc(args, { cwd, input }) {
  const result = spawnSync('protoc', args, { cwd, input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new Error(`[oracle] protoc is not available (${result.error.message}); install it: apt-get install -y protobuf-compiler`);
  }
  if (result.status !== 0) throw new Error(`[oracle] protoc ${args.join(' ')} failed (exit ${result.status}): ${result.stderr.toString()}`);
  return result.stdout;
}
