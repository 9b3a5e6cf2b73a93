/**
 * The demo's embedded MQTT broker (aedes, MQTT 3.1.1) on loopback, and a Lambda `Publisher` that
 * publishes straight into it, so the real handler code runs unchanged with the broker in place of
 * IoT Core's data plane.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Publisher } from '../../lambda/publish.ts';

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  readonly publisher: Publisher;
  close(): Promise<void>;
}

export async function startBroker(host = '127.0.0.1', port = 0): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const publisher: Publisher = {
    publish: (topic, payload) =>
      new Promise<void>((resolve, reject) => {
        aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
          (error) => (error ? reject(error) : resolve()),
        );
      }),
  };
  let closing: Promise<void> | undefined;
  return {
    host,
    port: address.port,
    publisher,
    close() {
      closing ??= (async () => {
        // Clients keep sockets open: end them, or server.close() waits for the agent to go first.
        server.close();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
      })();
      return closing;
    },
  };
}
