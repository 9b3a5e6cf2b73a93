/**
 * The fix text after a failed listing names the cause: the real AWS SDK against loopback endpoints
 * that answer as EC2 does when it refuses (EC2's error XML, with its status codes), a port nobody
 * listens on, and a credentials provider that fails first.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEc2Source } from '../../../device/sources/ec2.ts';
import { freePort } from '../../fakes/mosquitto.ts';

const CREDENTIALS = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
let server: Server;
let url = '';
let answer: { status: number; code: string; message: string } = { status: 500, code: 'x', message: 'x' };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${answer.code}</Code>` +
          `<Message>${answer.message}</Message></Error></Errors><RequestID>r-1</RequestID></Response>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

async function failureOf(options: { endpoint: string; credentials?: () => Promise<never> }): Promise<string> {
  const ec2 = createEc2Source({
    regions: ['ap-east-1'],
    credentials: options.credentials ?? CREDENTIALS,
    endpoint: options.endpoint,
    retry: { attempts: 2, baseMs: 1, capMs: 2 },
  });
  try {
    await ec2.list();
  } catch (error) {
    return (error as Error).message;
  } finally {
    ec2.close();
  }
  throw new Error('expected the listing to fail');
}

describe('the fix text after a failed listing', () => {
  it.each([
    [
      503,
      'RequestLimitExceeded',
      'Request limit exceeded.',
      /EC2 throttled DescribeInstances in ap-east-1: the agent backs off/,
    ],
    [
      403,
      'UnauthorizedOperation',
      'You are not authorized to perform this operation.',
      /allows ec2:DescribeInstances/,
    ],
    [
      401,
      'OptInRequired',
      'You are not subscribed to this service.',
      /region ap-east-1 is not enabled .*remove it from aws\.regions/,
    ],
    [
      401,
      'AuthFailure',
      'AWS was not able to validate the provided access credentials',
      /credentials were not accepted in ap-east-1: check the clock/,
    ],
    [500, 'InternalError', 'An internal error has occurred', /EC2 answered HTTP 500 .*relists with backoff/],
  ])('names the cause for HTTP %i %s', async (status, code, message, fix) => {
    answer = { status, code, message };
    const text = await failureOf({ endpoint: url });
    expect(text).toMatch(new RegExp(`^DescribeInstances failed in ap-east-1: ${code}`));
    expect(text).toMatch(fix);
    expect(text).not.toContain('check aws.regions and aws.ec2Endpoint');
  });

  it('names an endpoint nobody listens on as unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const text = await failureOf({ endpoint });
    expect(text).toContain(`aws.ec2Endpoint ${endpoint} is unreachable (ECONNREFUSED): check the network`);
  });

  it('points at the credentials error when there were no credentials to list with', async () => {
    const credentials = async (): Promise<never> => {
      throw new Error(
        'cannot reach the IoT credentials provider 127.0.0.1:1 (ECONNREFUSED); check aws.credentialsEndpoint',
      );
    };
    const text = await failureOf({ endpoint: url, credentials });
    expect(text).toMatch(
      /IoT credentials provider .*; no credentials to list with: fix what the credentials error/,
    );
  });
});
