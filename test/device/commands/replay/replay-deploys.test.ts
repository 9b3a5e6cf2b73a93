/**
 * `ec2led replay` of AWS's documented CodePipeline and ECS sample events (test/fixtures/deploy,
 * README there cites the pages): the deploy state shows in `--json`, ordered as the agent orders it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayMain } from '../../../../device/commands/replay/cli.ts';
import { replay } from '../../../../device/commands/replay/replay.ts';
import { fixture } from '../../../fixtures/load.ts';

const line = (name: string) => JSON.stringify(fixture('deploy', name));

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
}

interface BoardJson {
  pixels: { color: string; entry: { kind: string; id: string; name: string; state: string } | null }[];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ec2led-replay-deploys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('replay of deploy events', () => {
  it('shows the documented CodePipeline and ECS samples as deploy pixels in --json', async () => {
    const file = join(dir, 'deploys.jsonl');
    const names = ['pipeline-started', 'pipeline-failed', 'ecs-in-progress', 'ecs-completed'];
    await writeFile(file, `${names.map(line).join('\n')}\n`);
    const { out, io: streams } = io();
    expect(await replayMain([file, '--board', '4x2', '--json'], streams)).toBe(0);
    expect(out.stderr).toBe('ec2led replay: 4 events applied, 0 skipped\n');
    const board = JSON.parse(out.stdout) as BoardJson;
    const deploys = board.pixels
      .flatMap((p) => (p.entry === null ? [] : [[p.entry.kind, p.entry.id, p.entry.state, p.color]]))
      .sort();
    expect(deploys).toEqual([
      ['deploy', 'arn:aws:codepipeline:us-east-1:123456789012:myPipeline', 'deploying', '#00c0ff'],
      ['deploy', 'arn:aws:codepipeline:us-west-2:123456789012:myFailedPipeline', 'deploy-failed', '#ff4000'],
      // In progress and completed at the same documented updatedAt: the settled state outranks.
      ['deploy', 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest', 'deployed', '#40ff80'],
    ]);
  });

  it('orders a deploy by its run start: a late event of an older execution never outranks a newer one', () => {
    const failed = fixture('deploy', 'pipeline-failed') as Record<string, unknown>;
    const detail = failed.detail as Record<string, unknown>;
    // A newer execution started a minute later; the older one's FAILED event comes after it.
    const newer = {
      ...failed,
      id: 'newer-started',
      time: '2021-01-31T18:56:43Z',
      detail: {
        ...detail,
        'execution-id': 'aaaaaaaa-1234-5678-abcd-12345678abcd',
        state: 'STARTED',
        'start-time': '2021-01-31T18:56:43.000Z',
      },
    };
    const lateOld = { ...failed, id: 'late-old', time: '2021-01-31T19:10:00Z' };
    const result = replay(
      [
        { where: 'line 1', event: newer },
        { where: 'line 2', event: lateOld },
      ],
      { width: 2, height: 1 },
    );
    expect(result.problems).toEqual([]);
    expect(result.view.pixels.map((p) => p.entry?.state)).toContain('deploying');
    expect(result.view.pixels.map((p) => p.entry?.state)).not.toContain('deploy-failed');
  });

  it('counts a SUPERSEDED execution as ignored, and names a malformed deploy event', () => {
    const started = fixture('deploy', 'pipeline-started') as Record<string, unknown>;
    const superseded = { ...started, detail: { ...(started.detail as object), state: 'SUPERSEDED' } };
    const result = replay(
      [
        { where: 'line 1', event: superseded },
        { where: 'line 2', event: { ...started, resources: [] } },
      ],
      { width: 2, height: 1 },
    );
    expect(result.ignored).toBe(1);
    expect(result.problems).toEqual([
      { where: 'line 2', reason: 'resources holds no CodePipeline pipeline ARN' },
    ]);
  });
});
