/**
 * A loopback https server that serves one update package, for the agent's download: `serve` answers
 * with the whole body, `stall` sends the headers and the first bytes, then nothing (the socket stays
 * open until the server closes). Its certificate comes from the test PKI (certs.ts), for 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './certs.ts';

export interface PackageServer {
  /** https://127.0.0.1:PORT/pkg.deb?X-Amz-Signature=... (a query like a pre-signed URL's). */
  readonly url: string;
  readonly ca: Buffer;
  mode: 'serve' | 'stall';
  body: Buffer;
  /** How many requests arrived. */
  readonly requests: () => number;
  close(): Promise<void>;
}

export async function startPackageServer(pki: TestPki, body: Buffer): Promise<PackageServer> {
  const pair = pki.issueServer('package-server', 'IP:127.0.0.1');
  let requests = 0;
  const state = { mode: 'serve' as 'serve' | 'stall', body };
  const server: Server = createServer(
    { cert: readFileSync(pair.cert), key: readFileSync(pair.key) },
    (_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/vnd.debian.binary-package' });
      if (state.mode === 'stall') response.write(state.body.subarray(0, 16));
      else response.end(state.body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/ec2-led_9.9.9_arm64.deb?X-Amz-Signature=secret`,
    ca: readFileSync(pki.ca),
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    get body() {
      return state.body;
    },
    set body(next) {
      state.body = next;
    },
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
