/**
 * The proof that a kind is data: the "ticket" kind of test/kit/ticket-kind.ts, a
 * spec and a source defined in the tests alone, goes through the agent unchanged: the board (the
 * terminal's bytes), the web board and its colour key, ordering and deduplication of its changes,
 * its own slice of the fleet, the fleet file, /metrics, replay and the config. No file under
 * device/ names it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../device/agent/agent.ts';
import { FLEET_FILE_NAME } from '../../device/agent/fleet-store.ts';
import { silentLogger } from '../../device/base/log.ts';
import { replay } from '../../device/commands/replay/replay.ts';
import { parseConfig } from '../../device/config/config.ts';
import { pictureSettings } from '../../device/config/picture-settings.ts';
import { parseFleet } from '../../device/fleet/fleet-file.ts';
import { KIND_NAMES } from '../../device/kinds/kinds.ts';
import { startAgentWebBoard } from '../../device/outputs/web/agent-board.ts';
import type { ColourKey } from '../../device/outputs/web/key.ts';
import type { WebBoard } from '../../device/outputs/web/server.ts';
import type { Legend } from '../../device/picture/legend.ts';
import { parsePalette } from '../../device/picture/palette.ts';
import { waitFor } from '../fakes/wait.ts';
import { instance, startWorld, type World } from '../fakes/world.ts';
import {
  registerTicketKind,
  TICKET_KIND,
  TicketSource,
  ticketChange,
  ticketEvent,
  ticketId,
} from '../kit/ticket-kind.ts';
import { ROOT, sources } from '../source-tree.ts';

// Registered before anything reads the registry (the world parses its config with `zones.ticket`).
const unregister = registerTicketKind();

const WEB = instance(1, 'running', 'web');
/** config `colors` gives `resolved` a colour of its own, so the terminal's bytes show it. */
const RESOLVED_RGB = '0;255;128';

let world: World;
let agent: Agent | undefined;
let web: WebBoard | undefined;

function shown(view: Legend): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pixel of view.pixels) if (pixel.entry !== null) out[pixel.entry.id] = pixel.entry.state;
  return out;
}

beforeAll(async () => {
  world = await startWorld([WEB], {
    zones: { ticket: { from: 'bottom', rows: 1 } },
    colors: { resolved: '#00ff80' },
  });
});

afterEach(async () => {
  await Promise.all([web?.close(), agent?.stop()]);
  web = undefined;
  agent = undefined;
});

afterAll(async () => {
  await world?.close();
  unregister();
});

describe('a kind defined in a test', () => {
  it('is named by no file under device/', () => {
    for (const file of sources('device')) {
      expect(readFileSync(join(ROOT, file), 'utf8'), file).not.toMatch(/ticket/i);
    }
  });

  it('shows on the board and the web board, orders its changes and keeps to its own slice', async () => {
    const writes: string[] = [];
    const output = {
      columns: 100,
      rows: 40,
      write: (chunk: string, done: (error?: Error | null) => void) => {
        writes.push(chunk);
        done();
        return true;
      },
    };
    const tracker = new TicketSource({ 'OPS-1': 'resolved', 'OPS-2': 'open' });
    const config = { ...world.config, display: { ...world.config.display, board: 'terminal' as const } };
    agent = await startAgent({ config, log: silentLogger, displayDeps: { output }, sources: [tracker] });
    const a = agent;
    // As the CLI does (cli/agent.ts): the page's colour key in the agent's own colours.
    const { palette } = pictureSettings(config);
    web = await startAgentWebBoard(a, { host: '127.0.0.1', port: 0, palette }, silentLogger);
    const view = await waitFor('synced with tickets', () => {
      const legend = a.legend();
      return legend.synced && shown(legend)[ticketId('OPS-2')] !== undefined ? legend : undefined;
    });
    expect(shown(view)).toEqual({
      [WEB.instanceId]: 'running',
      [ticketId('OPS-1')]: 'resolved',
      [ticketId('OPS-2')]: 'open',
    });
    // Its zone: the bottom row, as config `zones` says.
    const rows = view.pixels.filter((p) => p.entry?.kind === TICKET_KIND).map((p) => p.y);
    expect(new Set(rows)).toEqual(new Set([view.height - 1]));
    // The display's bytes: the terminal draws the resolved ticket in its configured colour.
    await waitFor('the resolved colour drawn', () => writes.some((w) => w.includes(RESOLVED_RGB)), 3_000);

    // The web board and its colour key, from the spec.
    const board = (await (await fetch(new URL('/api/board', web.url))).json()) as Legend;
    expect(board.pixels.find((p) => p.entry?.id === ticketId('OPS-2'))?.entry).toMatchObject({
      kind: TICKET_KIND,
      state: 'open',
      name: 'OPS-2',
    });
    const key = (await (await fetch(new URL('/api/kinds', web.url))).json()) as ColourKey;
    expect(key.kinds.find((k) => k.kind === TICKET_KIND)).toEqual({
      kind: TICKET_KIND,
      label: 'ticket',
      states: [
        // Its urgent state is acknowledgeable like any other: the quiet colour (40 %) comes from the spec too.
        { state: 'open', color: '#ff4040', look: 'flashing', urgent: true, quietColor: '#661a1a' },
        { state: 'in-progress', color: '#806000', look: 'pulsing' },
        { state: 'resolved', color: '#00ff80', look: 'steady' },
      ],
    });

    // Ordered and deduplicated by its spec: an older change loses, a duplicate changes nothing,
    // and two states in the same millisecond go to the worse one (severity), in either order.
    const fleet = () => a.state().fleet;
    const at = Date.now();
    tracker.send(ticketChange('OPS-1', 'open', at));
    tracker.send(ticketChange('OPS-1', 'in-progress', at - 1000));
    tracker.send(ticketChange('OPS-1', 'open', at));
    expect(fleet().get(ticketId('OPS-1'))?.state).toBe('open');
    tracker.send(ticketChange('OPS-2', 'resolved', at + 1));
    tracker.send(ticketChange('OPS-2', 'in-progress', at + 1));
    tracker.send(ticketChange('OPS-3', 'in-progress', at + 1));
    tracker.send(ticketChange('OPS-3', 'resolved', at + 1));
    expect(fleet().get(ticketId('OPS-2'))?.state).toBe('in-progress');
    expect(fleet().get(ticketId('OPS-3'))?.state).toBe('in-progress');

    // Its own slice: a relist of the tracker drops the ticket it no longer has, and no instance.
    tracker.tickets.delete('OPS-2');
    tracker.tickets.set('OPS-1', 'resolved');
    tracker.tickets.set('OPS-3', 'resolved');
    tracker.relist();
    expect(new Map([...fleet()].map(([id, item]) => [id, item.state]))).toEqual(
      new Map([
        [WEB.instanceId, 'running'],
        [ticketId('OPS-1'), 'resolved'],
        [ticketId('OPS-3'), 'resolved'],
      ]),
    );
    // The EC2 listing that synced the board ran after the tracker had listed (the sources start
    // before the first SUBACK), and kept every ticket; live instance changes go on beside them.
    await world.publish(WEB.instanceId, 'stopped', Date.now());
    await waitFor('web stopped', () => fleet().get(WEB.instanceId)?.state === 'stopped', 3_000);
    expect(fleet().get(ticketId('OPS-3'))?.state).toBe('resolved');

    // /metrics: one series per state of every registered kind.
    const metrics = a.metrics();
    expect(metrics).toContain('ec2led_instances{kind="ticket",state="resolved"} 2');
    expect(metrics).toContain('ec2led_instances{kind="ticket",state="open"} 0');
  });

  it('is saved in the fleet file and restored at the next start, before its source lists', async () => {
    const tracker = new TicketSource({ 'OPS-7': 'in-progress' });
    agent = await startAgent({ config: world.config, log: silentLogger, sources: [tracker] });
    const a = agent;
    await waitFor('the ticket shown', () => shown(a.legend())[ticketId('OPS-7')] === 'in-progress');
    await a.stop(); // saves the fleet file
    agent = undefined;
    const saved = parseFleet(readFileSync(join(world.stateDir, FLEET_FILE_NAME), 'utf8'), Date.now());
    expect(saved.reason).toBeUndefined();
    expect(saved.fleet.get(ticketId('OPS-7'))).toMatchObject({ kind: TICKET_KIND, state: 'in-progress' });

    // A source that never lists: the ticket comes back from the file alone.
    const silent = { kinds: [TICKET_KIND], start: () => undefined, stop: async () => undefined };
    agent = await startAgent({ config: world.config, log: silentLogger, sources: [silent] });
    const b = agent;
    expect(b.state().fleet.get(ticketId('OPS-7'))).toMatchObject({ kind: TICKET_KIND, state: 'in-progress' });
    await waitFor('the restored ticket shown', () => shown(b.legend())[ticketId('OPS-7')] === 'in-progress');
  });
});

describe('a kind defined in a test, without the agent', () => {
  it('replays from its own events (the translation in its spec), ordered by its spec', () => {
    const palette = parsePalette();
    if (!palette.ok) throw new Error('fixture: palette');
    const result = replay(
      [
        { where: 'line 1', event: ticketEvent('OPS-1', 'open', '2026-12-01T10:00:00Z') },
        { where: 'line 2', event: ticketEvent('OPS-1', 'resolved', '2026-12-01T10:05:00Z') },
        // Older, later in the file: ignored by the ordering.
        { where: 'line 3', event: ticketEvent('OPS-1', 'in-progress', '2026-12-01T10:01:00Z') },
        { where: 'line 4', event: ticketEvent('OPS-2', 'in-progress', '2026-12-01T10:02:00Z') },
        {
          where: 'line 5',
          event: { ...(ticketEvent('OPS-3', 'open', 'x') as object), detail: { key: 'bad' } },
        },
      ],
      { width: 8, height: 8, palette: palette.palette },
    );
    expect(result.applied).toBe(4);
    expect(result.problems).toEqual([{ where: 'line 5', reason: 'detail.key is not a ticket key' }]);
    expect(shown(result.view)).toEqual({
      [ticketId('OPS-1')]: 'resolved',
      [ticketId('OPS-2')]: 'in-progress',
    });
    const opsTwo = result.view.pixels.find((p) => p.entry?.id === ticketId('OPS-2'));
    expect(opsTwo?.color).toBe('#806000');
  });

  it('is validated in the config: its zone and colours are taken, a misspelt kind is refused', () => {
    const raw = world.raw;
    const config = parseConfig({ ...raw, zones: { ticket: { rows: 2 } }, colors: { open: '#ff0000' } });
    expect(config.zones).toEqual({ ticket: { rows: 2 } });
    expect(() => parseConfig({ ...raw, zones: { tickets: {} } })).toThrow(
      `unknown key zones.tickets: not a kind; use one of ${KIND_NAMES.join(', ')}`,
    );
    expect(() => parseConfig({ ...raw, colors: { opened: '#ff0000' } })).toThrow(
      /unknown key colors\.opened: not a colour key; use one of .*open, in-progress, resolved/,
    );
  });
});
