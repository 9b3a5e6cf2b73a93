/**
 * `ec2led device` when AWS cannot be reached or no region is known: the real AWS SDK clients (no
 * mock) with the environment a user has, a port nobody listens on at 127.0.0.1, and the error Node
 * gives for a name that does not resolve (errors.ts reads it the same wherever it comes from).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceMain } from '../../../../device/commands/admin/cli.ts';
import { awsError } from '../../../../device/commands/admin/errors.ts';
import { freePort } from '../../../fakes/mosquitto.ts';

const KEYS = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL',
  'AWS_EC2_METADATA_DISABLED',
] as const;
let saved: Record<string, string | undefined> = {};

beforeEach(() => {
  saved = Object.fromEntries(KEYS.map((key) => [key, process.env[key]]));
  for (const key of KEYS) delete process.env[key];
  // No profile, no region anywhere: what a fresh admin machine has.
  process.env.AWS_CONFIG_FILE = '/nonexistent/ec2led-test/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/ec2led-test/credentials';
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterEach(() => {
  for (const key of KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

function recordingIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}

describe('ec2led device without a way to AWS', () => {
  it('no region anywhere is a usage error: exit 2, naming --region and AWS_REGION', async () => {
    const { io, err } = recordingIo();
    expect(await deviceMain(['list'], io)).toBe(2);
    expect(err.join('')).toMatch(
      /^ec2led device: listing the things of stack Ec2Led: no AWS region configured; pass --region with the home region of the stack, or set AWS_REGION/,
    );
  });

  it('create against an endpoint that refuses: names the endpoint, the cause and the variable that sent it there', async () => {
    const port = await freePort();
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
    const { io, out, err } = recordingIo();
    expect(
      await deviceMain(['create', 'desk-pi', '--region', 'eu-west-1', '--out', '/nonexistent/b'], io),
    ).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('')).toBe(
      'ec2led device: reading stack Ec2Led: cannot reach the AWS endpoint; ' +
        `127.0.0.1:${port} did not accept the connection (ECONNREFUSED): check the network, a firewall or proxy ` +
        'in between; AWS_ENDPOINT_URL is set and sends the request there\n',
    );
  });

  it('a name that does not resolve (getaddrinfo ENOTFOUND): names the host and the region in it', () => {
    // As node:dns rejects a lookup (the SDK passes it on unchanged).
    const notFound = Object.assign(
      new Error('getaddrinfo ENOTFOUND cloudformation.eu-wset-1.amazonaws.com'),
      {
        errno: -3008,
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: 'cloudformation.eu-wset-1.amazonaws.com',
      },
    );
    const error = awsError(notFound, 'reading stack Ec2Led', {});
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      'reading stack Ec2Led: cannot reach the AWS endpoint; the name cloudformation.eu-wset-1.amazonaws.com ' +
        "does not resolve (ENOTFOUND): check the region in it (--region, AWS_REGION or your profile's: the home " +
        'region of the stack, spelled as in eu-west-1) and the DNS of this machine',
    );
    // Wrapped one level down, as some SDK paths do, it reads the same.
    expect(
      awsError(new Error('request failed', { cause: notFound }), 'reading stack Ec2Led', {}).message,
    ).toBe(error.message);
  });
});
