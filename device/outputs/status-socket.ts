/**
 * The running agent's board, on a unix socket: `${stateDir}/agent.sock`, mode 0660, answering
 * `GET /api/board` with the web board's JSON (`legendToWire` of device/picture/legend.ts). Always on, even with the
 * web board off, so `ec2led status` works on any install; only the agent's user and group can connect.
 * A socket that still answers means another agent runs with this state directory: refuse to start
 * (two agents would fight over one MQTT client id).
 */
import { chmod, unlink } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type Legend, legendToWire } from '../picture/legend.ts';
import type { Output } from './outputs.ts';

export const SOCKET_NAME = 'agent.sock';

export function socketPath(stateDir: string): string {
  return join(stateDir, SOCKET_NAME);
}

/**
 * The longest unix socket path, in bytes: `sun_path` holds 108 bytes on Linux and 104 on macOS and
 * the BSDs, the closing NUL included (unix(7)). Node does not refuse a longer one: it binds a
 * truncated path, or fails with an error that names something else (EADDRINUSE).
 */
export function socketPathMaxBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? 107 : 103;
}

/** Why `path` cannot be a unix socket here, naming the fix; undefined when it fits. */
export function socketPathProblem(
  path: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const bytes = Buffer.byteLength(path);
  const max = socketPathMaxBytes(platform);
  if (bytes <= max) return undefined;
  const stateDirMax = max - Buffer.byteLength(`/${SOCKET_NAME}`);
  return (
    `the status socket ${path} is ${bytes} bytes long, and a unix socket path holds at most ${max}; ` +
    `set a shorter stateDir (at most ${stateDirMax} bytes, e.g. the default /var/lib/ec2led)`
  );
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
 * already answers there. `extra` adds fields beside the board's (the WLED devices' status).
 */
export async function serveBoard(
  path: string,
  initial: Legend,
  extra: () => Readonly<Record<string, unknown>> = () => ({}),
): Promise<BoardSocket> {
  let legend = initial;
  const tooLong = socketPathProblem(path);
  if (tooLong !== undefined) throw new Error(tooLong);
  if (await answers(path)) {
    throw new Error(`another ec2led agent answers on ${path}; stop it first (systemctl stop ec2led)`);
  }
  await unlink(path).catch(() => undefined);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/api/board') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"only GET /api/board"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ...legendToWire(legend), ...extra() }));
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
  const tooLong = socketPathProblem(path);
  if (tooLong !== undefined) return Promise.reject(new Error(tooLong));
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
