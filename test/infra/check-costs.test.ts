import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { CHECK_COST_INPUTS, checkCosts, checkCostTable } from '../../infra/check-costs.ts';
import type { ChecksStack } from '../../infra/checks-stack.ts';
import { dollars } from '../../infra/costs.ts';
import { MAX_PATIENCE_MS } from '../../shared/hls-check.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'ec2led-check-costs-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let template: Template;
beforeAll(() => {
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      account: '123456789012',
      regions: 'eu-west-1',
      checks:
        '["https://www.example.com/","tcp://db.example.com:5432",{"hls":"https://cdn.example.com/p.m3u8","distributionId":"E2ABCDEF123456"}]',
    },
  });
  template = Template.fromStack(buildApp(app, {}).checks as ChecksStack);
}, 90_000);

const row = (start: string) => {
  const found = checkCosts().find((candidate) => candidate.check.startsWith(start));
  if (found === undefined) throw new Error(`no check cost starting ${start}`);
  return found.monthly;
};

describe('the per-check cost table of docs/deploy.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');

  it('is exactly the table computed from the inputs in infra/check-costs.ts', () => {
    const match = /<!-- check-costs:start[^>]*-->\n([\s\S]*?)\n<!-- check-costs:end -->/.exec(doc);
    expect(match, 'docs/deploy.md lacks the check-costs markers').not.toBeNull();
    expect(match?.[1], 'regenerate with: npx tsx infra/check-costs.ts').toBe(checkCostTable());
  });

  it('adds Route 53 list prices and one alarm per HTTP, HTTPS or TCP check', () => {
    expect(row('HTTP or TCP check, AWS endpoint')).toBeCloseTo(0.6, 10);
    expect(row('HTTP or TCP check, other endpoint')).toBeCloseTo(0.85, 10);
    expect(row('HTTPS check, other endpoint')).toBeCloseTo(2.85, 10);
  });

  it('prices an HLS check as a run a minute plus its metric and alarm', () => {
    const runs = 43_200;
    const lambda = (runs * 0.2) / 1e6 + runs * 0.125 * 4.5 * 0.0000133334;
    const rest = 0.1 + 0.3 + runs / 1e6 + ((runs * 700) / 1e9) * 0.5 + (runs * 5 * 0.01) / 1e4;
    expect(row('HLS check, healthy')).toBeCloseTo(lambda + rest, 10);
  });

  it("prices a stalled stream at the checker's own limit, 45 s of reads, bounded by the Lambda timeout", () => {
    expect(CHECK_COST_INPUTS.hlsStalledSeconds).toBe(MAX_PATIENCE_MS / 1000);
    expect(CHECK_COST_INPUTS.hlsStalledSeconds).toBe(45);
    const runs = 43_200;
    const rest = 0.1 + 0.3 + runs / 1e6 + ((runs * 700) / 1e9) * 0.5 + (runs * 5 * 0.01) / 1e4;
    const stalled = (runs * 0.2) / 1e6 + runs * 0.125 * 45 * 0.0000133334 + rest;
    expect(row('HLS check, stalled')).toBeCloseTo(stalled, 10);
    expect(dollars(row('HLS check, stalled'))).toBe('$3.92');
    const checksDoc = readFileSync(join(ROOT, 'docs/checks.md'), 'utf8').replace(/\s+/g, ' ');
    const sixSecondSegments = checkCosts({ ...CHECK_COST_INPUTS, hlsStalledSeconds: 18 }).find((r) =>
      r.check.startsWith('HLS check, stalled'),
    )?.monthly as number;
    expect(checksDoc).toContain(
      `about ${dollars(row('HLS check, stalled'))} if the stream stalls all month with segments of 15 s or more, ` +
        `each run then reading for 45 s; ${dollars(sixSecondSegments)} with 6-second segments`,
    );
  });

  it('quotes the ten-check sums the same inputs give', () => {
    expect(doc).toContain(`about\n  **${dollars(10 * row('HTTPS check, other endpoint'))} a month**`);
    expect(doc).toContain(
      `Plain HTTP or TCP checks of the same\n  sites: about ${dollars(10 * row('HTTP or TCP check, other endpoint'))}.`,
    );
    expect(doc).toContain(`Ten healthy HLS streams: about $${Math.round(10 * row('HLS check, healthy'))}.`);
  });

  it('counts what the checks stack really creates: one alarm per check, one schedule a minute per stream, 128 MB', () => {
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    // 2 health-check alarms, the HLS alarm, the CloudFront alarm and the dead-letter queue's alarm.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
    expect(CHECK_COST_INPUTS.minutesPerMonth).toBe(30 * 24 * 60);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: CHECK_COST_INPUTS.hlsMemoryGb * 1024,
      Architectures: ['arm64'],
      Timeout: CHECK_COST_INPUTS.hlsTimeoutSeconds,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});
