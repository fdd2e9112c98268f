// The docker-compose cluster of KAFKA_MODE=container (tools/kafka/docker/compose.mjs), for specs in
// src/container: which node leads a partition, docker kill / docker start of a node's container.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ComposeNode {
  readonly id: number;
  readonly container: string;
  readonly port: number;
  readonly saslPort: number;
}

export interface ComposeModule {
  readonly NODES: readonly ComposeNode[];
  readonly BROKERS: readonly string[];
  readonly SASL_BROKERS: readonly string[];
  readonly PROJECT: string;
  projectContainers(): string[];
  killNode(id: number): void;
  startNode(id: number): void;
  nodeRunning(id: number): boolean;
  leaderOf(topic: string, partition?: number): Promise<number>;
}

export interface SaslUsers {
  readonly plain: readonly { username: string; password: string }[];
  readonly scram: readonly { username: string; password: string }[];
}

const root = path.resolve(__dirname, '../../..');

/** True when the suite runs against the containers (globalSetup started them). */
export function inContainerMode(): boolean {
  return process.env['KAFKA_MODE'] === 'container' && process.env['ONEX_KAFKA_CONTAINERS'] === '1';
}

export async function composeCluster(): Promise<ComposeModule> {
  return (await import(pathToFileURL(path.join(root, 'tools/kafka/docker/compose.mjs')).href)) as ComposeModule;
}

/** The SASL users of the JVM broker (tools/kafka/broker.mjs), which the containers must accept too. */
export async function jvmBrokerSaslUsers(): Promise<SaslUsers> {
  return ((await import(pathToFileURL(path.join(root, 'tools/kafka/broker.mjs')).href)) as { SASL_USERS: SaslUsers }).SASL_USERS;
}
