/**
 * A loopback stand-in for the EC2 Query API, enough of it for DescribeInstances as the AWS SDK v3
 * sends it: form-encoded `POST /` with `Action=DescribeInstances&Version=2016-11-15`, answered with
 * the documented XML (reservationSet / instancesSet / instanceState / tagSet, nextToken).
 *
 * Behaviour, not a mock: a mutable in-memory fleet per region (the region comes from the SigV4
 * credential scope in the Authorization header, as real endpoints are per region), NextToken paging
 * that honours MaxResults, `InstanceId.N` (unknown ids fail as on EC2), `Filter.N` on instance-id,
 * instance-state-name, tag-key and tag:KEY (values OR, filters AND), a RequestLimitExceeded switch
 * and a call counter per region. Keyed by account too: a request signed with a fake STS session
 * (fake-sts.ts, whose access key carries the account) sees that account's fleet; any other key sees
 * the server's own account. Used by the tests, the local demo and the benchmarks.
 *
 * DescribeInstanceStatus too, for the scheduled events of instance notices: the running instances
 * (as EC2 answers without IncludeAllInstances) with their `events`, `Filter.N` on event.code, paged
 * like DescribeInstances; counted apart (`statusCalls`), never throttled or broken, so the
 * DescribeInstances figures above stay what they were.
 *
 * It can also answer like a broken network in between (`breakNext`): a page padded with spaces, cut
 * short, an HTML page, gzip bytes, no reservationSet... each with HTTP 200, the answers the AWS SDK
 * reads as an empty page without an error (sources/ec2-page.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstanceState } from '../../shared/instance-state.ts';
import { accountOfAccessKey } from './fake-sts.ts';

export interface FakeInstance {
  readonly instanceId: string;
  readonly state: InstanceState;
  readonly tags?: Readonly<Record<string, string>>;
  /** Owner account of the reservation; default the server's account. */
  readonly account?: string;
  /** Scheduled events, as DescribeInstanceStatus lists them (running instances only). */
  readonly events?: readonly FakeScheduledEvent[];
}

export interface FakeScheduledEvent {
  /** instance-reboot, system-reboot, system-maintenance, instance-retirement, instance-stop. */
  readonly code: string;
  readonly notBeforeMs: number;
  readonly notAfterMs?: number;
  /** Default "The instance is scheduled for <code>". "[Completed] ..." marks one that is over. */
  readonly description?: string;
}

export interface FakeEc2 {
  /** Base URL, e.g. http://127.0.0.1:41234 — use as the client endpoint or AWS_ENDPOINT_URL_EC2. */
  readonly url: string;
  /** `account` defaults to the server's own, here and below. */
  setInstances(region: string, instances: readonly FakeInstance[], account?: string): void;
  /** Adds or replaces one instance (by id). */
  upsert(region: string, instance: FakeInstance, account?: string): void;
  remove(region: string, instanceId: string, account?: string): void;
  instances(region: string, account?: string): readonly FakeInstance[];
  /** DescribeInstances requests received, per region (throttled ones included). */
  readonly calls: Readonly<Record<string, number>>;
  /** DescribeInstanceStatus requests received, per region. */
  readonly statusCalls: Readonly<Record<string, number>>;
  /** The next `n` requests (to `region`, or to any region) fail with RequestLimitExceeded; 0 clears. */
  throttleNext(n: number, region?: string): void;
  /** The next `n` DescribeInstances answers are broken by `fault` (HTTP 200 all the same); 0 clears. */
  breakNext(n: number, fault: PageFault, options?: { readonly padBytes?: number }): void;
  close(): Promise<void>;
}

export interface FakeEc2Options {
  readonly host?: string;
  readonly port?: number;
  /** Default owner account, default 123456789012. */
  readonly account?: string;
}

const STATE_CODES: Readonly<Record<InstanceState, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function instanceXml(instance: FakeInstance): string {
  const tags = Object.entries(instance.tags ?? {})
    .map(([key, value]) => `<item><key>${xml(key)}</key><value>${xml(value)}</value></item>`)
    .join('');
  return (
    `<item><instanceId>${instance.instanceId}</instanceId><imageId>ami-00000000</imageId>` +
    `<instanceState><code>${STATE_CODES[instance.state]}</code><name>${instance.state}</name></instanceState>` +
    `<instanceType>t4g.nano</instanceType><tagSet>${tags}</tagSet></item>`
  );
}

/** How a broken proxy or endpoint can spoil a DescribeInstances page that was right. */
export type PageFault =
  /** `padBytes` spaces (default 1) just inside <reservationSet>, no newline: a proxy's padding. */
  | 'padded'
  /** The first half of the page only. */
  | 'truncated'
  /** A captive portal's or load balancer's HTML page. */
  | 'html'
  /** The answer without its <reservationSet>. */
  | 'no-reservation-set'
  /** No body at all. */
  | 'empty'
  /** Compressed bytes the client never asked for. */
  | 'gzip-junk'
  /** The reservations renamed (<itme>), as a corrupting proxy might. */
  | 'wrong-item'
  /** Another document after the page (two answers glued together). */
  | 'trailing-junk';

export const PAGE_FAULTS: readonly PageFault[] = [
  'padded',
  'truncated',
  'html',
  'no-reservation-set',
  'empty',
  'gzip-junk',
  'wrong-item',
  'trailing-junk',
];

/** `page` (a DescribeInstancesResponse) spoiled by `fault`. */
export function breakPage(page: string, fault: PageFault, padBytes = 1): string | Buffer {
  switch (fault) {
    case 'padded':
      return page.replace('<reservationSet>', `<reservationSet>${' '.repeat(padBytes)}`);
    case 'truncated':
      return page.slice(0, Math.floor(page.length / 2));
    case 'html':
      return '<!DOCTYPE html>\n<html><head><title>Login</title></head><body><p>Sign in to continue</p></body></html>';
    case 'no-reservation-set':
      return page.replace(/<reservationSet>[\s\S]*<\/reservationSet>|<reservationSet\/>/, '');
    case 'empty':
      return '';
    case 'gzip-junk':
      return Buffer.from([
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0xae, 0x05, 0x00,
      ]);
    case 'wrong-item':
      return page
        .replace(/<item><reservationId>([^<]*)<\/reservationId>/g, '<itme><reservationId>$1</reservationId>')
        .replace(/<\/instancesSet><\/item>/g, '</instancesSet></itme>');
    case 'trailing-junk':
      return `${page}<DescribeInstancesResponse><requestId>x</requestId>`;
  }
}

function errorXml(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors>` +
    `<RequestID>${randomUUID()}</RequestID></Response>`
  );
}

/** `Credential=AKID/20261126/eu-west-1/ec2/aws4_request` -> eu-west-1. */
export function regionOfAuthorization(header: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/ec2\/aws4_request/.exec(header ?? '')?.[1];
}

/** `Filter.1.Name`, `Filter.1.Value.1`, ... -> [{ name, values }]. */
function filtersOf(params: URLSearchParams): { name: string; values: string[] }[] {
  const filters: { name: string; values: string[] }[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) {
    const values: string[] = [];
    for (let j = 1; params.has(`Filter.${i}.Value.${j}`); j++)
      values.push(params.get(`Filter.${i}.Value.${j}`) ?? '');
    filters.push({ name: params.get(`Filter.${i}.Name`) ?? '', values });
  }
  return filters;
}

function listOf(params: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) out.push(params.get(`${prefix}.${i}`) ?? '');
  return out;
}

function matches(instance: FakeInstance, filter: { name: string; values: string[] }): boolean {
  const tags = instance.tags ?? {};
  if (filter.name === 'instance-id') return filter.values.includes(instance.instanceId);
  if (filter.name === 'instance-state-name') return filter.values.includes(instance.state);
  if (filter.name === 'tag-key') return filter.values.some((key) => Object.hasOwn(tags, key));
  if (filter.name.startsWith('tag:')) {
    const value = tags[filter.name.slice(4)];
    return value !== undefined && filter.values.includes(value);
  }
  return true;
}

function statusXml(instance: FakeInstance): string {
  const events = (instance.events ?? [])
    .map(
      (e, n) =>
        `<item><instanceEventId>instance-event-${n.toString(16).padStart(17, '0')}</instanceEventId>` +
        `<code>${xml(e.code)}</code><description>${xml(e.description ?? `The instance is scheduled for ${e.code}`)}</description>` +
        `<notBefore>${new Date(e.notBeforeMs).toISOString()}</notBefore>` +
        `${e.notAfterMs === undefined ? '' : `<notAfter>${new Date(e.notAfterMs).toISOString()}</notAfter>`}</item>`,
    )
    .join('');
  return (
    `<item><instanceId>${instance.instanceId}</instanceId><availabilityZone>us-east-1a</availabilityZone>` +
    `<instanceState><code>16</code><name>running</name></instanceState>` +
    `<systemStatus><status>ok</status></systemStatus><instanceStatus><status>ok</status></instanceStatus>` +
    `<eventsSet>${events}</eventsSet></item>`
  );
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeEc2(options: FakeEc2Options = {}): Promise<FakeEc2> {
  const account = options.account ?? '123456789012';
  const fleets = new Map<string, FakeInstance[]>();
  const calls: Record<string, number> = {};
  const statusCalls: Record<string, number> = {};
  const throttles = { any: 0, byRegion: new Map<string, number>() };
  const faults = { left: 0, fault: 'padded' as PageFault, padBytes: 1 };

  const send = (res: ServerResponse, status: number, body: string | Buffer): void => {
    res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': randomUUID() });
    res.end(body);
  };

  const key = (region: string, owner: string | undefined): string => `${owner ?? account}/${region}`;
  const describe = (
    region: string,
    caller: string | undefined,
    params: URLSearchParams,
  ): [number, string] => {
    const fleet = fleets.get(key(region, caller)) ?? [];
    const ids = listOf(params, 'InstanceId');
    const missing = ids.filter((id) => !fleet.some((i) => i.instanceId === id));
    if (missing.length > 0) {
      return [
        400,
        errorXml('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`),
      ];
    }
    const filters = filtersOf(params);
    const selected = fleet.filter(
      (i) => (ids.length === 0 || ids.includes(i.instanceId)) && filters.every((f) => matches(i, f)),
    );
    const max = Number(params.get('MaxResults') ?? selected.length) || selected.length;
    const start = Number(Buffer.from(params.get('NextToken') ?? '', 'base64url').toString() || 0);
    const page = selected.slice(start, start + Math.max(1, max));
    const next =
      start + page.length < selected.length
        ? Buffer.from(String(start + page.length)).toString('base64url')
        : '';
    const reservations = page
      .map(
        (i, n) =>
          `<item><reservationId>r-${(start + n).toString(16).padStart(17, '0')}</reservationId>` +
          `<ownerId>${i.account ?? caller ?? account}</ownerId><groupSet/><instancesSet>${instanceXml(i)}</instancesSet></item>`,
      )
      .join('');
    return [
      200,
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
        `<requestId>${randomUUID()}</requestId><reservationSet>${reservations}</reservationSet>` +
        `${next === '' ? '' : `<nextToken>${next}</nextToken>`}</DescribeInstancesResponse>`,
    ];
  };

  const describeStatus = (region: string, caller: string | undefined, params: URLSearchParams): string => {
    const codes = filtersOf(params).find((f) => f.name === 'event.code')?.values;
    const selected = (fleets.get(key(region, caller)) ?? []).filter(
      (i) =>
        i.state === 'running' &&
        (codes === undefined || (i.events ?? []).some((e) => codes.includes(e.code))),
    );
    const max = Number(params.get('MaxResults') ?? selected.length) || selected.length;
    const start = Number(Buffer.from(params.get('NextToken') ?? '', 'base64url').toString() || 0);
    const page = selected.slice(start, start + Math.max(1, max));
    const next =
      start + page.length < selected.length
        ? Buffer.from(String(start + page.length)).toString('base64url')
        : '';
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<DescribeInstanceStatusResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
      `<requestId>${randomUUID()}</requestId><instanceStatusSet>${page.map(statusXml).join('')}</instanceStatusSet>` +
      `${next === '' ? '' : `<nextToken>${next}</nextToken>`}</DescribeInstanceStatusResponse>`
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const params = new URLSearchParams(await bodyOf(req));
    const region = regionOfAuthorization(req.headers.authorization);
    if (req.method !== 'POST' || region === undefined) {
      send(res, 401, errorXml('AuthFailure', 'expected a SigV4-signed POST for service ec2'));
      return;
    }
    if (params.get('Action') === 'DescribeInstanceStatus') {
      statusCalls[region] = (statusCalls[region] ?? 0) + 1;
      const caller = accountOfAccessKey(/Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1]);
      send(res, 200, describeStatus(region, caller, params));
      return;
    }
    if (params.get('Action') !== 'DescribeInstances') {
      send(
        res,
        400,
        errorXml('InvalidAction', `The action ${params.get('Action')} is not valid for this fake`),
      );
      return;
    }
    calls[region] = (calls[region] ?? 0) + 1;
    const regional = throttles.byRegion.get(region) ?? 0;
    if (regional > 0 || throttles.any > 0) {
      if (regional > 0) throttles.byRegion.set(region, regional - 1);
      else throttles.any -= 1;
      send(res, 503, errorXml('RequestLimitExceeded', 'Request limit exceeded.'));
      return;
    }
    const caller = accountOfAccessKey(/Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1]);
    const [status, body] = describe(region, caller, params);
    if (status === 200 && faults.left > 0) {
      faults.left -= 1;
      send(res, 200, breakPage(body, faults.fault, faults.padBytes));
      return;
    }
    send(res, status, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, errorXml('InternalError', 'fake-ec2 failed')));
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { address, port } = server.address() as AddressInfo;
  const fleet = (region: string, owner?: string): FakeInstance[] => {
    const list = fleets.get(key(region, owner)) ?? [];
    fleets.set(key(region, owner), list);
    return list;
  };

  return {
    url: `http://${address}:${port}`,
    calls,
    statusCalls,
    setInstances: (region, instances, owner) => void fleets.set(key(region, owner), [...instances]),
    upsert: (region, instance, owner) => {
      const list = fleet(region, owner);
      const at = list.findIndex((i) => i.instanceId === instance.instanceId);
      if (at < 0) list.push(instance);
      else list[at] = instance;
    },
    remove: (region, instanceId, owner) =>
      void fleets.set(
        key(region, owner),
        fleet(region, owner).filter((i) => i.instanceId !== instanceId),
      ),
    instances: (region, owner) => [...fleet(region, owner)],
    breakNext: (n, fault, breakOptions) => {
      faults.left = n;
      faults.fault = fault;
      faults.padBytes = breakOptions?.padBytes ?? 1;
    },
    throttleNext: (n, region) => {
      if (region === undefined) throttles.any = n;
      else throttles.byRegion.set(region, n);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
