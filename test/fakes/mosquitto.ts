/**
 * A real Debian mosquitto for integration tests: mutual TLS with a throwaway CA (certs.ts), or plain
 * TCP, on a random free port of 127.0.0.1, started and killed by its own PID.
 *
 * Privileges: started as root it keeps root (`user root`), since its files live in temp folders of
 * mode 0700 (mkdtemp), which the `mosquitto` user may not reach; started as any
 * other user it keeps that user.
 * No persistence: a restarted broker has forgotten every session, which is the case the agent must
 * heal by resubscribing. Every wait here is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { TestPki } from './certs.ts';
import { toolPath } from './tools.ts';

export interface Mosquitto {
  readonly port: number;
  /** PID of the running broker, undefined while stopped. */
  readonly pid: number | undefined;
  /** Everything the broker wrote to stderr (its log), for failure messages. */
  log(): string;
  /** Kills the broker (SIGKILL: an abrupt outage, no DISCONNECT sent) and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Kills it for good and removes its config file. */
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Mutual TLS with this PKI (require_certificate true); plain TCP when undefined. */
  readonly pki?: TestPki | undefined;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function configText(port: number, pki: TestPki | undefined): string {
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type all'];
  // Started as root, mosquitto would drop to the `mosquitto` user, which may not reach the test
  // files in their 0700 temp folders: a throwaway broker on loopback stays root instead.
  if (process.getuid?.() === 0) lines.push('user root');
  if (pki === undefined) lines.push('allow_anonymous true');
  else {
    lines.push(
      `cafile ${pki.ca}`,
      `certfile ${pki.server.cert}`,
      `keyfile ${pki.server.key}`,
      'require_certificate true',
      'use_identity_as_username true',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const mosquitto = toolPath('mosquitto');
  const port = await freePort();
  const dir = options.pki?.dir ?? (await import('node:os')).tmpdir();
  const configPath = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(configPath, configText(port, options.pki), { mode: 0o644 });
  let child: ChildProcess | undefined;
  let logText = '';

  const start = async (): Promise<void> => {
    const proc = spawn(mosquitto, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => {
      logText += chunk.toString();
    });
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) break;
      if (await canConnect(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    proc.kill('SIGKILL');
    throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within 5 s; its log:\n${logText}`);
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  };

  await start();
  return {
    port,
    get pid() {
      return child?.pid;
    },
    log: () => logText,
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(configPath, { force: true });
    },
  };
}
