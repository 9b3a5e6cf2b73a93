/**
 * A loopback TCP endpoint in front of another one that can hang: while stalled it accepts every
 * connection and never answers (bytes in, nothing out, the socket held open), the way a stuck load
 * balancer or a half-dead network does; healed, it forwards new connections to the target. Listens
 * on 127.0.0.1 with an ephemeral port; close() destroys every socket it holds.
 */

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';

export interface StallProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT`, for an HTTP target. */
  readonly url: string;
  /** Connections accepted so far (stalled or forwarded). */
  readonly accepted: number;
  stall(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startStallProxy(targetPort: number, stalled = true): Promise<StallProxy> {
  let stalling = stalled;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const hold = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = createServer((socket) => {
    accepted += 1;
    hold(socket);
    if (stalling) {
      socket.resume(); // read and discard: the request is sent, the answer never comes
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    hold(upstream);
    socket.pipe(upstream).pipe(socket);
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    stall: () => {
      stalling = true;
    },
    heal: () => {
      stalling = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
