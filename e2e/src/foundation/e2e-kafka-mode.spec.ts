// Which Kafka `npm test` runs the e2e suite against (tools/scripts/test-all.mjs): the docker-compose
// cluster when this machine can run it, the tools/kafka JVM broker otherwise, KAFKA_MODE forcing either.
// The machine is simulated by the probe results; the probes themselves are `docker info`,
// `docker-compose version` and the image (or debootstrap, as root, to build it).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Probe {
  engine: boolean;
  compose: boolean;
  image: boolean;
}
interface KafkaModeModule {
  e2eKafkaMode(env: Record<string, string | undefined>, probe: () => Probe): { mode: 'container' | 'jvm'; reason: string };
}

const root = path.resolve(__dirname, '../../..');
const docker: Probe = { engine: true, compose: true, image: true };
let mod: KafkaModeModule;

beforeAll(async () => {
  mod = (await import(pathToFileURL(path.join(root, 'tools/jest/kafka-container.mjs')).href)) as KafkaModeModule;
});

describe('e2eKafkaMode', () => {
  it('chooses the compose cluster when the engine, docker-compose and the image are usable', () => {
    expect(mod.e2eKafkaMode({}, () => docker)).toEqual({ mode: 'container', reason: expect.stringContaining('Docker engine') });
  });

  it.each([
    ['engine', 'no Docker engine answers `docker info`'],
    ['compose', 'neither docker-compose nor `docker compose`'],
    ['image', 'no onex-kafka image and no debootstrap (as root) to build one'],
  ] as const)('keeps the JVM broker when the %s is missing, and says why', (missing, why) => {
    const result = mod.e2eKafkaMode({}, () => ({ ...docker, [missing]: false }));
    expect(result.mode).toBe('jvm');
    expect(result.reason).toContain(why);
  });

  it('never probes Docker when KAFKA_MODE=jvm forces the JVM broker', () => {
    const probe = jest.fn(() => docker);
    expect(mod.e2eKafkaMode({ KAFKA_MODE: 'jvm' }, probe)).toEqual({ mode: 'jvm', reason: 'KAFKA_MODE=jvm' });
    expect(probe).not.toHaveBeenCalled();
  });

  it('uses an existing cluster named by KAFKA_BROKERS without probing Docker', () => {
    const probe = jest.fn(() => docker);
    expect(mod.e2eKafkaMode({ KAFKA_BROKERS: '10.0.0.1:9092' }, probe).mode).toBe('jvm');
    expect(probe).not.toHaveBeenCalled();
  });

  it('fails with what is missing when KAFKA_MODE=container cannot be honoured', () => {
    expect(() => mod.e2eKafkaMode({ KAFKA_MODE: 'container' }, () => ({ ...docker, engine: false }))).toThrow(
      /KAFKA_MODE=container but no Docker engine answers `docker info`/,
    );
    expect(mod.e2eKafkaMode({ KAFKA_MODE: 'container' }, () => docker).mode).toBe('container');
  });

  it('refuses KAFKA_MODE=container together with KAFKA_BROKERS, and an unknown KAFKA_MODE', () => {
    expect(() => mod.e2eKafkaMode({ KAFKA_MODE: 'container', KAFKA_BROKERS: '10.0.0.1:9092' }, () => docker)).toThrow(
      /KAFKA_BROKERS is already set \(10\.0\.0\.1:9092\)/,
    );
    expect(() => mod.e2eKafkaMode({ KAFKA_MODE: 'docker' }, () => docker)).toThrow("KAFKA_MODE must be 'jvm' (the default) or 'container', got 'docker'");
  });
});
