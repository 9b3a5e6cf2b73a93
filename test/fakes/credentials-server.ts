/**
 * A loopback stand-in for the AWS IoT credentials provider: HTTPS on 127.0.0.1 that REQUIRES a client
 * certificate from the test CA, serving the documented JSON for one role alias. Counts requests and
 * can be told to refuse (403) or to hang.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './certs.ts';

export interface FakeCredentialsServer {
  readonly port: number;
  /** Requests served, with the thing-name header each carried. */
  readonly requests: { path: string; thingName: string | undefined; clientCn: string | undefined }[];
  /** Lifetime of issued credentials, ms from the server's `now()`. */
  lifetimeMs: number;
  /** `trickle`: answers 200 and then one space every 50 ms, never ending, until the client leaves. */
  mode: 'ok' | 'forbidden' | 'hang' | 'garbage' | 'trickle';
  close(): Promise<void>;
}

export const FAKE_SECRET = 'fakeSecretAccessKey0123456789ABCDEFabcdef';

export async function startCredentialsServer(
  pki: TestPki,
  roleAlias: string,
  now: () => number = Date.now,
): Promise<FakeCredentialsServer> {
  const state: Omit<FakeCredentialsServer, 'port' | 'close'> = {
    requests: [],
    lifetimeMs: 3_600_000,
    mode: 'ok',
  };
  let serial = 0;
  const server: Server = createServer(
    {
      cert: readFileSync(pki.server.cert),
      key: readFileSync(pki.server.key),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      const thingName = req.headers['x-amzn-iot-thingname'];
      state.requests.push({
        path: req.url ?? '',
        thingName: typeof thingName === 'string' ? thingName : undefined,
        clientCn: typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
      });
      if (state.mode === 'hang') return;
      if (state.mode === 'trickle') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const drip = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(drip));
        return;
      }
      res.setHeader('content-type', 'application/json');
      if (state.mode === 'forbidden' || req.url !== `/role-aliases/${roleAlias}/credentials`) {
        res.writeHead(state.mode === 'forbidden' ? 403 : 404).end('{"message":"Access Denied"}');
        return;
      }
      if (state.mode === 'garbage') {
        res.writeHead(200).end(`{"credentials":{"secretAccessKey":"${FAKE_SECRET}"}}`);
        return;
      }
      serial += 1;
      const expiration = new Date(now() + state.lifetimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
      res.writeHead(200).end(
        JSON.stringify({
          credentials: {
            accessKeyId: `ASIAFAKE${String(serial).padStart(12, '0')}`,
            secretAccessKey: FAKE_SECRET,
            sessionToken: `fake-session-token-${serial}`,
            expiration,
          },
        }),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
