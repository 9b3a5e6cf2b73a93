/**
 * The running agent's board, on a unix socket: `${stateDir}/agent.sock`, mode 0660, answering
 * `GET /api/board` with the web board's JSON (display/board-view.ts `legendToWire`). Always on, even with the
 * web board off, so `ec2led status` works on any install; only the agent's user and group can connect.
 * A socket that still answers means another agent runs with this state directory: refuse to start
 * (two agents would fight over one MQTT client id).
 */
import { chmod, unlink } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type Legend, legendToWire } from '../layout/legend.ts';
import type { Output } from '../outputs.ts';

export const SOCKET_NAME = 'agent.sock';

export function socketPath(stateDir: string): string {
  return join(stateDir, SOCKET_NAME);
}

/** An output of the agent: it answers with the legend of the last picture shown. */
export interface BoardSocket extends Output {
  readonly path: string;
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Serves `initial` on the socket until the agent shows it a picture. Rejects when another agent
 * already answers there.
 */
export async function serveBoard(path: string, initial: Legend): Promise<BoardSocket> {
  let legend = initial;
  if (await answers(path)) {
    throw new Error(`another ec2led agent answers on ${path}; stop it first (systemctl stop ec2led)`);
  }
  await unlink(path).catch(() => undefined);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/api/board') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"only GET /api/board"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(legendToWire(legend)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(`cannot listen on ${path} (${error.code}); check that stateDir exists and is writable`, {
          cause: error,
        }),
      ),
    );
    server.listen(path, resolve);
  });
  await chmod(path, 0o660);
  let closing: Promise<void> | undefined;
  return {
    name: 'status socket',
    path,
    open: async () => undefined,
    show: async (picture) => {
      legend = picture.legend;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => unlink(path).catch(() => undefined));
      return closing;
    },
  };
}

/** Asks the agent on `path` for its board. Rejects with an Error naming the fix. */
export function fetchBoard(path: string, timeoutMs = 2_000): Promise<Legend> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: path, path: '/api/board', method: 'GET', timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Legend);
          } catch (error) {
            reject(new Error(`the agent on ${path} gave no board (${(error as Error).message})`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const fix =
        error.code === 'EACCES'
          ? 'run it with sudo, or add yourself to the ec2led group (sudo usermod -aG ec2led $USER)'
          : 'is the agent running? (systemctl status ec2led)';
      reject(new Error(`cannot reach the agent on ${path} (${error.code ?? error.message}); ${fix}`));
    });
    req.end();
  });
}
