/**
 * Every `npx cdk deploy … -c regions=…` in the docs is preceded by a `npx cdk bootstrap` that covers
 * every account and region its stacks deploy to (the checks stack's us-east-1 included), as the app
 * itself computes them (infra/bootstrap.ts). A region left out fails the deploy with "SSM parameter
 * /cdk-bootstrap/hnb659fds/version not found".
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { bootstrapEnvironments } from '../../infra/bootstrap.ts';

const ACCOUNT = '123456789012';
const read = (name: string) =>
  readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8').replace(/\\\n\s*/g, '');
const scratch = mkdtempSync(join(tmpdir(), 'ec2led-doc-bootstrap-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The environments each `npx cdk bootstrap aws://…` line of `doc` names, in order of appearance. */
function bootstrapLines(doc: string): { at: number; environments: string[] }[] {
  return [...doc.matchAll(/^npx cdk bootstrap (.*)$/gm)].map((match) => ({
    at: match.index,
    environments: (match[1] as string).split(/\s+/).filter((word) => word.startsWith('aws://')),
  }));
}

function environmentsOf(context: Record<string, string>): string[] {
  const app = new App({
    outdir: mkdtempSync(join(scratch, 'out-')),
    context: { 'aws:cdk:bundling-stacks': [], account: ACCOUNT, ...context },
  });
  const built = buildApp(app, {});
  const stacks = [built.home, ...built.forwarders, ...(built.checks === undefined ? [] : [built.checks])];
  return bootstrapEnvironments(stacks) as string[];
}

describe.each(['deploy.md', 'checks.md', 'accounts.md'])('docs/%s', (name) => {
  const doc = read(name);
  const deploys = [...doc.matchAll(/^npx cdk deploy (.*)$/gm)]
    .map((match) => ({
      line: match[0],
      at: match.index,
      context: Object.fromEntries(
        [...(match[1] as string).matchAll(/-c (\w+)=(\S+)/g)].map((c) => [c[1] as string, c[2] as string]),
      ),
    }))
    // Without regions the home region is the CLI's, unknown here; the doc's text covers that case.
    .filter((deploy) => deploy.context.regions !== undefined);

  it.each(deploys.map((deploy) => [deploy.line, deploy] as const))(
    'bootstraps every environment of `%s` first',
    (_line, deploy) => {
      const needed = environmentsOf(deploy.context);
      // Bootstrap lines of this page before the command, or of docs/deploy.md (which the others follow).
      const offered = [
        ...bootstrapLines(doc).filter((b) => b.at < deploy.at),
        ...(name === 'deploy.md' ? [] : bootstrapLines(read('deploy.md'))),
      ];
      expect(offered.some((b) => needed.every((environment) => b.environments.includes(environment)))).toBe(
        true,
      );
    },
    60_000,
  );
});

describe('docs/checks.md', () => {
  it('deploys checks with a home region other than us-east-1, and bootstraps us-east-1 for them', () => {
    const doc = read('checks.md');
    expect(doc).toMatch(/^npx cdk deploy --all -c regions=eu-west-1 -c checks=/m);
    expect(bootstrapLines(doc).flatMap((b) => b.environments)).toContain(`aws://${ACCOUNT}/us-east-1`);
  });
});
