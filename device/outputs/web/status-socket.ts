/**
 * The running agent's board, on a unix socket: `${stateDir}/agent.sock`, mode 0660, answering
 * `GET /api/board` with the web board's JSON (`legendToWire` of device/picture/legend.ts), and
 * `POST /api/attention` (attention-request.ts: `ec2led ack`, `snooze`, `unsnooze`) with what the
 * agent did. Always on, even with the web board off, so `ec2led status` works on any install; only
 * the agent's user and group can connect. A request body is bounded in bytes
 * (MAX_ATTENTION_REQUEST_BYTES) and a request in time (REQUEST_TIMEOUT_MS).
 * A socket that still answers means another agent runs with this state directory: refuse to start
 * (two agents would fight over one MQTT client id).
 */
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { AttentionReply } from '../../picture/attention.ts';
import { type Legend, legendToWire } from '../../picture/legend.ts';
import type { Output } from '../outputs.ts';
import {
  type AttentionRequest,
  MAX_ATTENTION_REQUEST_BYTES,
  parseAttentionRequest,
} from './attention-request.ts';
import { readBodyWithin } from './http.ts';

export const SOCKET_NAME = 'agent.sock';
/** How long a client may take to send a whole request. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** Acknowledge, snooze or unsnooze in the agent; undefined while there is no agent yet. */
export type AttentionHandler = (request: AttentionRequest) => AttentionReply;

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
  attention?: AttentionHandler,
): Promise<BoardSocket> {
  let legend = initial;
  const tooLong = socketPathProblem(path);
  if (tooLong !== undefined) throw new Error(tooLong);
  if (await answers(path)) {
    throw new Error(`another ec2led agent answers on ${path}; stop it first (systemctl stop ec2led)`);
  }
  await unlink(path).catch(() => undefined);
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const act = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBodyWithin(req, MAX_ATTENTION_REQUEST_BYTES, REQUEST_TIMEOUT_MS);
    if (!body.ok && 'timedOut' in body) {
      reply(res, 408, { error: `the request did not arrive within ${REQUEST_TIMEOUT_MS} ms` });
      req.destroy();
      return;
    }
    if (!body.ok)
      return reply(res, 413, { error: `request larger than ${MAX_ATTENTION_REQUEST_BYTES} bytes` });
    const parsed = parseAttentionRequest(body.text);
    if (!parsed.ok) return reply(res, 400, { error: parsed.reason });
    if (attention === undefined) return reply(res, 404, { error: 'this socket takes no commands' });
    const done = attention(parsed.request);
    if (!done.ok) return reply(res, 422, { error: done.reason });
    reply(res, 200, { message: done.message, ids: done.ids });
  };
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/api/attention') {
      act(req, res).catch((error: unknown) => reply(res, 500, { error: (error as Error).message }));
      return;
    }
    if (req.method !== 'GET' || req.url !== '/api/board') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":"only GET /api/board and POST /api/attention"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ...legendToWire(legend), ...extra() }));
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
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

/**
 * Sends an acknowledge / snooze / unsnooze to the agent on `path`; resolves to what it did, rejects
 * with an Error naming the fix (the agent's own reason when it refused).
 */
export function postAttention(
  path: string,
  body: AttentionRequest,
  timeoutMs = 2_000,
): Promise<{ readonly message: string; readonly ids: readonly string[] }> {
  const tooLong = socketPathProblem(path);
  if (tooLong !== undefined) return Promise.reject(new Error(tooLong));
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: path,
        path: '/api/attention',
        method: 'POST',
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 65_536) chunks.push(chunk);
        });
        res.on('end', () => {
          let answer: { message?: unknown; ids?: unknown; error?: unknown } = {};
          try {
            answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {}
          if (res.statusCode === 200 && typeof answer.message === 'string')
            resolve({ message: answer.message, ids: Array.isArray(answer.ids) ? answer.ids : [] });
          else if (typeof answer.error === 'string') reject(new Error(answer.error));
          else
            reject(
              new Error(
                `the agent on ${path} answered HTTP ${res.statusCode}; is it older than this ec2led? (systemctl restart ec2led)`,
              ),
            );
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
    req.end(payload);
  });
}
