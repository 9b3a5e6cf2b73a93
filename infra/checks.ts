/**
 * Pure: context `checks` -> the list of checks the checks stack creates (docs/checks.md).
 *
 * Each entry is a string or an object:
 * - `"https://example.com/health"`, `"http://…"`: a Route 53 HTTP(S) health check; as an object
 *   `{"url": "https://…", "match": "OK"}` it also looks for the text in the first 5,120 bytes.
 * - `"tcp://db.example.com:5432"`: a Route 53 TCP check, the nearest thing to a ping (Route 53 has
 *   no ICMP).
 * - `"hls:https://cdn.example.com/live/playlist.m3u8"` or `{"hls": "https://…", "distributionId":
 *   "E2ABC…"}`: the HLS checker, and with a distribution id the CloudFront 5xxErrorRate alarm too.
 * - `{"hls": "/live/playlist.m3u8", "origin": "https://wowza.example.com:1935"}`: a CloudFront
 *   distribution in front of that origin, made for live HLS (constructs/hls-distribution.ts), the
 *   HLS checker on the playlist path through it, and its 5xxErrorRate alarm.
 * Any object may carry `"name"` (letters, digits, `.`, `_`, `-`); the default is the host (plus the
 * port for TCP). Names must differ: each becomes the alarm `<stackName>-check-<name>`.
 */

import { isRecord } from '../shared/schema.ts';

export type Check =
  | {
      readonly kind: 'http';
      readonly name: string;
      readonly protocol: 'HTTP' | 'HTTPS';
      readonly host: string;
      readonly port: number;
      readonly path: string;
      readonly match: string | undefined;
    }
  | { readonly kind: 'tcp'; readonly name: string; readonly host: string; readonly port: number }
  | {
      readonly kind: 'hls';
      readonly name: string;
      /** The playlist URL; with `origin`, its path (and query) on the distribution made for it. */
      readonly url: string;
      readonly distributionId: string | undefined;
      /** The origin to put a new CloudFront distribution in front of. */
      readonly origin?: string | undefined;
    };

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const DISTRIBUTION_PATTERN = /^E[A-Z0-9]{7,20}$/;
/** Route 53's limit on SearchString. */
const MAX_MATCH = 255;
/** Route 53's limit on ResourcePath. */
const MAX_PATH = 255;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${JSON.stringify(text)} is not a URL; write ${what}`);
  }
  if (url.hostname === '') throw new Error(`${JSON.stringify(text)} names no host; write ${what}`);
  return url;
}

function one(entry: unknown): Check {
  const object = isRecord(entry) ? entry : undefined;
  const name = object?.name;
  if (name !== undefined && (typeof name !== 'string' || !NAME_PATTERN.test(name))) {
    throw new Error(`name ${JSON.stringify(name)} is not 1-64 letters, digits, ".", "_" or "-"`);
  }
  const text = typeof entry === 'string' ? entry.trim() : undefined;
  const hls = text?.startsWith('hls:') ? text.slice(4) : object?.hls;
  if (hls !== undefined && object?.origin !== undefined) return behindNewDistribution(hls, object, name);
  if (hls !== undefined) {
    if (typeof hls !== 'string') throw new Error(`hls ${JSON.stringify(hls)} is not a URL string`);
    const url = parseUrl(hls, 'hls:https://host/path/playlist.m3u8');
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`hls URL ${JSON.stringify(hls)} is not http(s)`);
    const distributionId = object?.distributionId;
    if (
      distributionId !== undefined &&
      (typeof distributionId !== 'string' || !DISTRIBUTION_PATTERN.test(distributionId))
    ) {
      throw new Error(
        `distributionId ${JSON.stringify(distributionId)} is not a CloudFront distribution id like E2ABCDEF123456`,
      );
    }
    return { kind: 'hls', name: (name as string | undefined) ?? url.hostname, url: url.href, distributionId };
  }
  const raw = text ?? object?.url;
  if (typeof raw !== 'string') {
    throw new Error(
      `${JSON.stringify(entry)} is not a check; write a URL, tcp://host:port, hls:URL, or {"url": …, "match": …}`,
    );
  }
  const url = parseUrl(raw, 'https://host/path, tcp://host:port or hls:https://…');
  if (url.protocol === 'tcp:') {
    if (url.port === '') throw new Error(`${JSON.stringify(raw)} has no port; write tcp://host:port`);
    const port = Number(url.port);
    return {
      kind: 'tcp',
      name: (name as string | undefined) ?? `${url.hostname}-${port}`,
      host: url.hostname,
      port,
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(
      `${JSON.stringify(raw)} is not http, https, tcp or hls (Route 53 has no ICMP: use tcp://host:port for a ping)`,
    );
  }
  const match = object?.match;
  if (match !== undefined && (typeof match !== 'string' || match.length === 0 || match.length > MAX_MATCH)) {
    throw new Error(`match ${JSON.stringify(match)} is not 1-${MAX_MATCH} characters`);
  }
  const path = `${url.pathname}${url.search}`;
  if (path.length > MAX_PATH)
    throw new Error(`the path of ${JSON.stringify(raw)} is over ${MAX_PATH} characters`);
  const https = url.protocol === 'https:';
  return {
    kind: 'http',
    name: (name as string | undefined) ?? url.hostname,
    protocol: https ? 'HTTPS' : 'HTTP',
    host: url.hostname,
    port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
    path,
    match: match as string | undefined,
  };
}

/** `{"hls": "/path.m3u8", "origin": "https://…"}`: the check of a distribution the stack makes. */
function behindNewDistribution(hls: unknown, object: Record<string, unknown>, name: unknown): Check {
  const origin = object.origin;
  if (typeof origin !== 'string') throw new Error(`origin ${JSON.stringify(origin)} is not a URL string`);
  const base = parseUrl(origin, '"origin": "https://origin.example.com:1935"');
  if ((base.protocol !== 'https:' && base.protocol !== 'http:') || base.search !== '' || base.hash !== '') {
    throw new Error(
      `origin ${JSON.stringify(origin)} is not an http(s) origin without query; write "https://origin.example.com:1935"`,
    );
  }
  if (object.distributionId !== undefined) {
    throw new Error(
      'a check with "origin" gets a new distribution; leave "distributionId" out (or "origin", to use yours)',
    );
  }
  if (typeof hls !== 'string' || !hls.startsWith('/') || hls.startsWith('//')) {
    throw new Error(
      `hls ${JSON.stringify(hls)} is not a playlist path; with "origin" write "/live/playlist.m3u8"`,
    );
  }
  const path = new URL(hls, 'https://distribution.invalid');
  return {
    kind: 'hls',
    name: (name as string | undefined) ?? base.hostname,
    url: `${path.pathname}${path.search}`,
    distributionId: undefined,
    origin: base.href.replace(/\/$/, ''),
  };
}

/** `checks` as a comma list of strings (`-c checks=…`) or a JSON array (cdk.json). Throws a sentence. */
export function parseChecks(value: unknown): Check[] {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    list = text.startsWith('[') ? safeJson(text) : text.split(',').map((item) => item.trim());
  }
  if (!Array.isArray(list)) throw new Error(`${JSON.stringify(value)} is not a comma list or a JSON array`);
  const checks = list.map(one);
  const names = checks.map((check) => check.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined)
    throw new Error(`two checks are named ${duplicate}; give one a "name" in cdk.json`);
  return checks;
}

/** Where every check's metrics and alarms live: Route 53 health-check metrics exist in us-east-1 only. */
export const CHECKS_REGION = 'us-east-1';

/** The alarm name prefix of every check, so the alarm rules can select them. */
export function checkAlarmPrefix(stackName: string): string {
  return `${stackName}-check-`;
}
