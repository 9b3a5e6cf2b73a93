/**
 * A loopback stand-in for CloudWatch, enough of it for DescribeAlarms as the AWS SDK v3 sends it
 * today: the AWS JSON 1.0 protocol (`POST /`, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: GraniteServiceVersion20100801.DescribeAlarms`, a JSON body), answered with JSON
 * (`MetricAlarms`, `CompositeAlarms`, `NextToken`; timestamps as epoch seconds). CloudWatch moved
 * from the Query protocol to JSON 1.0 in "query-compatible" mode, so errors carry both the JSON
 * `__type` and the `x-amzn-query-error: Code;Sender` header the SDK reads the error's name from.
 *
 * Behaviour, not a mock: alarms per region (the region comes from the SigV4 credential scope, as
 * real endpoints are per region), `AlarmNamePrefix`, `AlarmTypes`, NextToken paging that honours
 * `MaxRecords` (1-100, as CloudWatch), a throttling switch and a call counter per region. Used by the
 * tests, the local demo and the replay of a whole world.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlarmState } from '../../shared/alarm-message.ts';

export interface FakeAlarm {
  readonly name: string;
  readonly state: AlarmState;
  /** When it entered `state`, epoch ms. */
  readonly sinceMs: number;
  /** Default 'MetricAlarm'. */
  readonly type?: 'MetricAlarm' | 'CompositeAlarm';
}

export interface FakeCloudWatch {
  /** Base URL: use as the client endpoint, config alarms.endpoint or AWS_ENDPOINT_URL_CLOUDWATCH. */
  readonly url: string;
  readonly account: string;
  setAlarms(region: string, alarms: readonly FakeAlarm[]): void;
  /** Adds or replaces one alarm (by name). */
  upsert(region: string, alarm: FakeAlarm): void;
  remove(region: string, name: string): void;
  alarms(region: string): readonly FakeAlarm[];
  /** The ARN of an alarm of this fake's account. */
  arnOf(region: string, name: string): string;
  /** DescribeAlarms requests received, per region (throttled ones included). */
  readonly calls: Readonly<Record<string, number>>;
  /** The request bodies received, in order (for paging and prefix tests). */
  readonly requests: readonly { readonly region: string; readonly body: Record<string, unknown> }[];
  /** The next `n` requests fail with Throttling; 0 clears. */
  throttleNext(n: number): void;
  close(): Promise<void>;
}

export interface FakeCloudWatchOptions {
  readonly host?: string;
  readonly port?: number;
  /** The account in every ARN, default 123456789012. */
  readonly account?: string;
}

const TARGET = 'GraniteServiceVersion20100801.DescribeAlarms';

/** `Credential=AKID/20261126/eu-west-1/monitoring/aws4_request` -> eu-west-1. */
function regionOf(header: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/monitoring\/aws4_request/.exec(header ?? '')?.[1];
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeCloudWatch(options: FakeCloudWatchOptions = {}): Promise<FakeCloudWatch> {
  const account = options.account ?? '123456789012';
  const byRegion = new Map<string, FakeAlarm[]>();
  const calls: Record<string, number> = {};
  const requests: { region: string; body: Record<string, unknown> }[] = [];
  let throttle = 0;
  const arnOf = (region: string, name: string) => `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;

  const send = (res: ServerResponse, status: number, body: unknown, queryError?: string): void => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      ...(queryError === undefined ? {} : { 'x-amzn-query-error': queryError }),
    });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string): void =>
    send(res, status, { __type: `com.amazonaws.cloudwatch#${code}`, message }, `${code};Sender`);

  const describe = (region: string, body: Record<string, unknown>): [number, unknown] => {
    const prefix = typeof body.AlarmNamePrefix === 'string' ? body.AlarmNamePrefix : '';
    const types = Array.isArray(body.AlarmTypes) ? (body.AlarmTypes as string[]) : ['MetricAlarm'];
    const max = body.MaxRecords === undefined ? 50 : Number(body.MaxRecords);
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      return [400, { code: 'InvalidParameterValue', message: `MaxRecords ${max} is not 1-100` }];
    }
    const selected = (byRegion.get(region) ?? [])
      .filter((a) => a.name.startsWith(prefix) && types.includes(a.type ?? 'MetricAlarm'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const token = typeof body.NextToken === 'string' ? body.NextToken : '';
    const start = token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0 || start > selected.length) {
      return [400, { code: 'InvalidNextToken', message: 'The service could not read the NextToken' }];
    }
    const page = selected.slice(start, start + max);
    const json = (a: FakeAlarm) => ({
      AlarmName: a.name,
      AlarmArn: arnOf(region, a.name),
      StateValue: a.state,
      StateReason: `fake: ${a.state}`,
      StateUpdatedTimestamp: a.sinceMs / 1000,
      ActionsEnabled: true,
    });
    const next =
      start + page.length < selected.length
        ? Buffer.from(String(start + page.length)).toString('base64url')
        : undefined;
    return [
      200,
      {
        MetricAlarms: page.filter((a) => (a.type ?? 'MetricAlarm') === 'MetricAlarm').map(json),
        CompositeAlarms: page
          .filter((a) => a.type === 'CompositeAlarm')
          .map((a) => ({ ...json(a), AlarmRule: 'TRUE' })),
        ...(next === undefined ? {} : { NextToken: next }),
      },
    ];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await bodyOf(req);
    const region = regionOf(req.headers.authorization);
    if (req.method !== 'POST' || region === undefined) {
      fail(res, 403, 'IncompleteSignature', 'expected a SigV4-signed POST for service monitoring');
      return;
    }
    if (req.headers['x-amz-target'] !== TARGET) {
      fail(
        res,
        400,
        'UnknownOperationException',
        `${String(req.headers['x-amz-target'])} is not served by this fake`,
      );
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text === '' ? '{}' : text) as Record<string, unknown>;
    } catch {
      fail(res, 400, 'SerializationException', 'the body is not JSON');
      return;
    }
    calls[region] = (calls[region] ?? 0) + 1;
    requests.push({ region, body });
    if (throttle > 0) {
      throttle -= 1;
      fail(res, 400, 'Throttling', 'Rate exceeded');
      return;
    }
    const [status, answer] = describe(region, body);
    if (status === 200) send(res, status, answer);
    else {
      const { code, message } = answer as { code: string; message: string };
      fail(res, status, code, message);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => fail(res, 500, 'InternalServiceError', 'fake-cloudwatch failed'));
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { address, port } = server.address() as AddressInfo;
  const list = (region: string): FakeAlarm[] => {
    const found = byRegion.get(region) ?? [];
    byRegion.set(region, found);
    return found;
  };

  return {
    url: `http://${address}:${port}`,
    account,
    calls,
    requests,
    arnOf,
    setAlarms: (region, alarms) => void byRegion.set(region, [...alarms]),
    upsert: (region, alarm) => {
      const alarms = list(region);
      const at = alarms.findIndex((a) => a.name === alarm.name);
      if (at < 0) alarms.push(alarm);
      else alarms[at] = alarm;
    },
    remove: (region, name) =>
      void byRegion.set(
        region,
        list(region).filter((a) => a.name !== name),
      ),
    alarms: (region) => [...list(region)],
    throttleNext: (n) => {
      throttle = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
