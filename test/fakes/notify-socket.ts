/**
 * A fake systemd notification socket: a real AF_UNIX datagram socket bound in a temp directory (via
 * unix-dgram, the module the agent sends with), recording every datagram as systemd would read it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.ts';

interface BoundSocket {
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  bind(path: string): void;
  close(): void;
}

export interface FakeNotifySocket {
  readonly path: string;
  /** Every datagram received, in order ("READY=1", "WATCHDOG=1", ...). */
  readonly messages: string[];
  /** Waits (bounded) until `count` datagrams arrived. */
  received(count: number): Promise<readonly string[]>;
  close(): void;
}

export function startFakeNotifySocket(): FakeNotifySocket {
  const dgram = createRequire(import.meta.url)('unix-dgram') as {
    createSocket(type: 'unix_dgram'): BoundSocket;
  };
  const dir = mkdtempSync(join(tmpdir(), 'ec2led-notify-'));
  const path = join(dir, 'notify');
  const messages: string[] = [];
  let closed = false;
  const socket = dgram.createSocket('unix_dgram');
  socket.on('message', (data) => messages.push(data.toString('utf8')));
  socket.on('error', (error) => messages.push(`error: ${error.message}`));
  socket.bind(path);
  return {
    path,
    messages,
    received: (count) =>
      waitFor(`${count} notify messages (have ${messages.join(', ')})`, () =>
        messages.length >= count ? [...messages] : undefined,
      ),
    close() {
      // Idempotent: unix-dgram aborts the process on a second close (an assert in its native code).
      if (closed) return;
      closed = true;
      socket.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
