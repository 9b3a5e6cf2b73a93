import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { main } from '../../infra/app.ts';

// An App without an outdir makes its own cdk.outXXXX in the temp folder: give it one we remove.
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-app-main-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

afterEach(() => {
  process.exitCode = undefined;
});

describe('the CDK app entry point', () => {
  it.each([
    ['regions', 'eu-west-9', /^ec2led: context regions: eu-west-9 is not an AWS region this app knows/],
    ['regions', 'mx-central-1', /^ec2led: context regions: mx-central-1 cannot be the home region/],
    ['alarmEmail', 'ops', /^ec2led: context alarmEmail is "ops", expected one e-mail address/],
    ['account', '42', /^ec2led: account is "42", expected 12 digits; fix context account/],
  ])('turns a bad %s (%j) into one stderr line and exit code 1, synthesizing nothing', (key, value, line) => {
    const written: string[] = [];
    const app = new App({ outdir: mkdtempSync(join(scratch, 'out-')), context: { [key]: value } });
    main(app, (text) => written.push(text));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(line);
    expect(written[0]?.endsWith('\n')).toBe(true);
    expect(written[0]?.split('\n')).toHaveLength(2);
    expect(process.exitCode).toBe(1);
    expect(app.node.children).toEqual([]);
  });
});
