// aws-sdk-client-mock replaces send() on every client of a class, so the loopback test lives apart.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../lambda/handler.ts';
import { iotDataPublisher } from '../../lambda/publish.ts';
import { decodeMessage } from '../../shared/message.ts';
import { fixture } from '../fixtures/load.ts';

describe('iotDataPublisher against a loopback IoT data endpoint', () => {
  it('sends a signed POST /topics/{topic}?qos=1 with the message as body', async () => {
    const requests: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests.push({
          method: req.method,
          url: req.url,
          auth: req.headers.authorization,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const client = new IoTDataPlaneClient({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        maxAttempts: 1,
      });
      const publisher = iotDataPublisher(`http://127.0.0.1:${port}`, client);
      const handler = createHandler({ publisher: () => publisher, topicPrefix: 'ec2led', log: () => {} });
      await handler(fixture('eventbridge', 'terminated'));

      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/topics/ec2led%2Fv1%2F123456789012%2Fus-east-1%2Fi-1234567890abcdef0?qos=1');
      expect(request?.auth).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/iotdata\/aws4_request/,
      );
      const decoded = decodeMessage(request?.body ?? '');
      expect(decoded.ok && decoded.message).toMatchObject({ state: 'terminated', id: 'i-1234567890abcdef0' });
    } finally {
      server.close();
    }
  });
});
