import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Ec2LedApp } from '../../infra/app.ts';
import {
  afterAlwaysFree,
  COST_INPUTS,
  costByYearTable,
  costLines,
  costTable,
  FORWARDER_ALARMS,
  HOME_ALARMS,
  kmsKeyMonthly,
  monthly,
} from '../../infra/costs.ts';
import type { ForwarderStack } from '../../infra/forwarder-stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'ec2led-costs-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let synthesized: Ec2LedApp;
let homeTemplate: Template;
let forwarderTemplate: Template;
beforeAll(() => {
  // Synthesized once here: the first aws-cdk-lib and cdk-nag load is slow on a busy machine.
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      account: '123456789012',
      regions: 'eu-west-1,us-east-1',
      alarmEmail: 'ops@example.com',
    },
  });
  synthesized = buildApp(app, {});
  homeTemplate = Template.fromStack(synthesized.home);
  forwarderTemplate = Template.fromStack(synthesized.forwarders[0] as ForwarderStack);
}, 90_000);

const line = (start: string) => {
  const found = costLines().find((candidate) => candidate.item.startsWith(start));
  if (found === undefined) throw new Error(`no cost line starting ${start}`);
  return found;
};

describe('the cost table of docs/deploy.md', () => {
  it('is exactly the table computed from the inputs in infra/costs.ts', () => {
    const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const match = /<!-- cost-table:start[^>]*-->\n([\s\S]*?)\n<!-- cost-table:end -->/.exec(doc);
    expect(match, 'docs/deploy.md lacks the cost-table markers').not.toBeNull();
    expect(match?.[1], 'regenerate with: npx tsx infra/costs.ts').toBe(costTable());
  });

  it('holds the year 1, 2 and 3+ table computed from the same inputs', () => {
    const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const match = /<!-- cost-years:start[^>]*-->\n([\s\S]*?)\n<!-- cost-years:end -->/.exec(doc);
    expect(match, 'docs/deploy.md lacks the cost-years markers').not.toBeNull();
    expect(match?.[1], 'regenerate with: npx tsx infra/costs.ts').toBe(costByYearTable());
  });

  it('prices a yearly-rotated KMS key $1, $2, then $3 a month for good: only two rotations are charged', () => {
    expect([1, 2, 3].map((year) => kmsKeyMonthly(year as 1 | 2 | 3))).toEqual([1, 2, 3]);
    expect(monthly(costLines(COST_INPUTS, 2).find((l) => l.item.startsWith('KMS keys')) as never)).toBe(4);
    expect(costByYearTable()).toContain('| KMS keys (2, rotated yearly) | $2.00 | $4.00 | $6.00 |');
    expect(costByYearTable()).toContain('| total, list price | $2.55 | $4.55 | $6.55 |');
    // Without alarmEmail there is no key, so nothing grows.
    const quiet = { ...COST_INPUTS, alarmEmail: false };
    const total = (year: 1 | 2 | 3) => costLines(quiet, year).reduce((sum, l) => sum + monthly(l), 0);
    expect(total(3)).toBeCloseTo(total(1), 10);
  });

  it('meters three IoT messages per change and one Pi connected every minute of a 30-day month', () => {
    expect(line('IoT Core messages').quantity).toBe(1000 * 30 * 3);
    expect(monthly(line('IoT Core messages'))).toBeCloseTo(0.09, 10);
    expect(line('IoT Core connection').quantity).toBe(43_200);
    expect(monthly(line('IoT Core connection'))).toBeCloseTo(0.003456, 10);
  });

  it('prices the Lambda as 30,000 arm64 invocations of 0.25 GB for 0.2 s, inside the free tier', () => {
    expect(monthly(line('Lambda requests'))).toBeCloseTo(0.006, 10);
    expect(line('Lambda duration').quantity).toBeCloseTo(1500, 10);
    expect(monthly(line('Lambda duration'))).toBeCloseTo(0.0200001, 7);
    expect(afterAlwaysFree(line('Lambda duration'))).toBe(0);
  });

  it('adds up to the totals it prints', () => {
    const total = costLines().reduce((sum, item) => sum + monthly(item), 0);
    expect(total).toBeCloseTo(0.09 + 0.003456 + 0.006 + 0.0200001 + 0.015 + 0.4 + 2 + 0.0002 + 0.0105, 6);
    expect(costTable()).toContain(`**$${total.toFixed(2)}**`);
    const afterFree = costLines().reduce((sum, item) => sum + afterAlwaysFree(item), 0);
    expect(afterFree).toBeCloseTo(0.09 + 0.003456 + 0.015 + 2, 6);
    expect(costTable()).toContain(`**$${afterFree.toFixed(2)}**`);
  });

  it('quotes the totals without alarmEmail that the same inputs give', () => {
    const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
    const quiet = costLines({ ...COST_INPUTS, alarmEmail: false });
    const list = quiet.reduce((sum, item) => sum + monthly(item), 0);
    const afterFree = quiet.reduce((sum, item) => sum + afterAlwaysFree(item), 0);
    expect(doc).toContain(
      `**Without \`alarmEmail\`** the KMS keys and e-mails go: **$${list.toFixed(2)}** a month at list prices,\n` +
        `  **$${afterFree.toFixed(2)}** after the always-free tier.`,
    );
  });

  it('counts the alarms, keys, memory and log retention the stacks really create', () => {
    expect(synthesized.forwarders).toHaveLength(COST_INPUTS.forwarderRegions);
    homeTemplate.resourceCountIs('AWS::CloudWatch::Alarm', HOME_ALARMS);
    forwarderTemplate.resourceCountIs('AWS::CloudWatch::Alarm', FORWARDER_ALARMS);
    homeTemplate.resourceCountIs('AWS::KMS::Key', 1);
    forwarderTemplate.resourceCountIs('AWS::KMS::Key', 1);
    // Yearly rotation is what makes the key cost more in years 2 and 3 (KMS's default period: 365 days).
    homeTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    forwarderTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(line('KMS keys').quantity).toBe(2);
    homeTemplate.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: COST_INPUTS.lambdaMemoryGb * 1024,
      Architectures: ['arm64'],
    });
    homeTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});
