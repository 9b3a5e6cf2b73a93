/** Scheduled events at listing time: the real AWS SDK's DescribeInstanceStatus against the loopback FakeEc2. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeEc2, startFakeEc2 } from '../../../device/demo/fake-ec2.ts';
import { createEc2Source } from '../../../device/sources/ec2.ts';
import { listScheduledEvents } from '../../../device/sources/scheduled-events.ts';

const CREDENTIALS = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
const NOT_BEFORE = Date.parse('2026-12-21T09:00:00Z');
const NOT_AFTER = Date.parse('2026-12-21T11:00:00Z');
let fake: FakeEc2;

beforeAll(async () => {
  fake = await startFakeEc2({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await fake?.close();
});

describe('listScheduledEvents', () => {
  it('lists the scheduled events of running instances, paginated, without the completed ones', async () => {
    fake.setInstances('eu-west-1', [
      ...Array.from({ length: 1500 }, (_, n) => ({
        instanceId: `i-${n.toString(16).padStart(17, '0')}`,
        state: 'running' as const,
        events:
          n % 500 === 0 ? [{ code: 'system-reboot', notBeforeMs: NOT_BEFORE, notAfterMs: NOT_AFTER }] : [],
      })),
      {
        instanceId: 'i-0aaaaaaaaaaaaaaa1',
        state: 'running',
        events: [
          { code: 'instance-retirement', notBeforeMs: NOT_BEFORE },
          {
            code: 'instance-reboot',
            notBeforeMs: NOT_BEFORE,
            description: '[Completed] The instance was rebooted',
          },
        ],
      },
      {
        instanceId: 'i-0bbbbbbbbbbbbbbb2',
        state: 'stopped',
        events: [{ code: 'instance-stop', notBeforeMs: NOT_BEFORE }],
      },
    ]);
    const client = new EC2Client({ region: 'eu-west-1', endpoint: fake.url, credentials: CREDENTIALS });
    const read = await listScheduledEvents(client, undefined);
    client.destroy();
    expect(read).toEqual({
      events: [
        {
          instanceId: 'i-00000000000000000',
          code: 'system-reboot',
          notBeforeMs: NOT_BEFORE,
          notAfterMs: NOT_AFTER,
        },
        {
          instanceId: 'i-000000000000001f4',
          code: 'system-reboot',
          notBeforeMs: NOT_BEFORE,
          notAfterMs: NOT_AFTER,
        },
        {
          instanceId: 'i-000000000000003e8',
          code: 'system-reboot',
          notBeforeMs: NOT_BEFORE,
          notAfterMs: NOT_AFTER,
        },
        { instanceId: 'i-0aaaaaaaaaaaaaaa1', code: 'instance-retirement', notBeforeMs: NOT_BEFORE },
      ],
    });
    expect(fake.statusCalls['eu-west-1']).toBe(1);
    fake.setInstances('eu-west-1', []);
  });

  it('returns the reason, never throws, for an answer that is not a DescribeInstanceStatusResponse', async () => {
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Sign in</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new EC2Client({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: CREDENTIALS,
    });
    const read = await listScheduledEvents(client, undefined);
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(read).toEqual({
      reason: expect.stringContaining('not a DescribeInstanceStatusResponse'),
    });
  });
});

describe('the EC2 source lists scheduled events with the instances', () => {
  it('adds each region it could read to the snapshot, with its events', async () => {
    fake.setInstances('us-east-1', [
      {
        instanceId: 'i-0ccccccccccccccc3',
        state: 'running',
        events: [{ code: 'system-maintenance', notBeforeMs: NOT_BEFORE, notAfterMs: NOT_AFTER }],
      },
    ]);
    const ec2 = createEc2Source({
      regions: ['eu-west-1', 'us-east-1'],
      credentials: CREDENTIALS,
      endpoint: fake.url,
    });
    const snapshot = await ec2.list();
    ec2.close();
    expect(snapshot.items.map((i) => i.id)).toEqual(['i-0ccccccccccccccc3']);
    expect(snapshot.scheduled).toEqual([
      { region: 'eu-west-1', account: '', events: [] },
      {
        region: 'us-east-1',
        account: '',
        events: [
          {
            instanceId: 'i-0ccccccccccccccc3',
            code: 'system-maintenance',
            notBeforeMs: NOT_BEFORE,
            notAfterMs: NOT_AFTER,
          },
        ],
      },
    ]);
    fake.setInstances('us-east-1', []);
  });
});
