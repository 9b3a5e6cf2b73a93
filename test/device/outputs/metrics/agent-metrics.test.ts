/**
 * The agent's counters and gauges with literal inputs and a hand-moved clock, read back through a
 * Prometheus text-format parser: what moves when, what is there from the start, and what is never a
 * label.
 */
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { SyncEffects } from '../../../../device/fleet/effects.ts';
import type { Item, Snapshot } from '../../../../device/fleet/item.ts';
import { initialSyncState, type SyncState } from '../../../../device/fleet/sync.ts';
import { ALL_STATES, KIND_NAMES, specOf } from '../../../../device/kinds/kinds.ts';
import {
  createAgentMetrics,
  DROP_REASONS,
  LISTING_BUCKETS_S,
} from '../../../../device/outputs/metrics/agent-metrics.ts';
import { instance } from '../../../kit/builders.ts';

const T0 = 1_764_115_200_000;

function stateWith(instances: readonly Item[], extra: Partial<SyncState> = {}): SyncState {
  return { ...initialSyncState(), fleet: new Map(instances.map((i) => [i.id, i])), ...extra };
}

/** Families by name. */
function scrape(text: string): Map<string, ParsedFamily> {
  return new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
}

function value(families: Map<string, ParsedFamily>, name: string, labels?: Record<string, string>): number {
  const family = families.get(name);
  const sample = family?.metrics.find(
    (m) => labels === undefined || JSON.stringify(m.labels) === JSON.stringify(labels),
  );
  if (sample?.value === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return Number(sample.value);
}

/** Effects whose listing the test answers by hand. */
function manualEffects() {
  const pending: Array<{ resolve: (s: Snapshot) => void; reject: (e: Error) => void }> = [];
  const dropped: string[] = [];
  const effects: SyncEffects = {
    subscribe: () => undefined,
    list: () => new Promise<Snapshot>((resolve, reject) => pending.push({ resolve, reject })),
    describe: async () => [],
    dropped: (command) => dropped.push(command.change.id),
  };
  return { effects, pending, dropped };
}

describe('agent metrics', () => {
  it('shows every series from the start: counters at 0, each drop reason, each state of each kind', () => {
    const families = scrape(createAgentMetrics(() => T0).render(initialSyncState()));
    expect(value(families, 'ec2led_mqtt_messages_received_total')).toBe(0);
    for (const reason of DROP_REASONS) {
      expect(value(families, 'ec2led_mqtt_messages_dropped_total', { reason })).toBe(0);
    }
    expect(families.get('ec2led_instances')?.metrics.map((m) => m.labels)).toEqual(
      KIND_NAMES.flatMap((kind) => specOf(kind).states.map((state) => ({ kind, state }))),
    );
    expect(families.get('ec2led_listing_duration_seconds')?.metrics).toEqual([
      {
        buckets: Object.fromEntries([...LISTING_BUCKETS_S.map((b) => [String(b), '0']), ['+Inf', '0']]),
        count: '0',
        sum: '0',
      },
    ]);
    // Nothing happened yet: no message time, no listing time.
    expect(families.get('ec2led_last_message_timestamp_seconds')?.metrics).toEqual([]);
    expect(families.get('ec2led_last_listing_timestamp_seconds')?.metrics).toEqual([]);
    expect([...families.values()].map((f) => [f.name, f.type])).toEqual([
      ['ec2led_mqtt_messages_received_total', 'COUNTER'],
      ['ec2led_mqtt_messages_dropped_total', 'COUNTER'],
      ['ec2led_last_message_timestamp_seconds', 'GAUGE'],
      ['ec2led_mqtt_connected', 'GAUGE'],
      ['ec2led_mqtt_reconnects_total', 'COUNTER'],
      ['ec2led_synced', 'GAUGE'],
      ['ec2led_listings_total', 'COUNTER'],
      ['ec2led_listing_failures_total', 'COUNTER'],
      ['ec2led_listing_duration_seconds', 'HISTOGRAM'],
      ['ec2led_last_listing_timestamp_seconds', 'GAUGE'],
      ['ec2led_stale_accounts', 'GAUGE'],
      ['ec2led_instances', 'GAUGE'],
      ['ec2led_frames_total', 'COUNTER'],
    ]);
  });

  it('counts messages received and dropped by reason, clock-ahead drops from sync included', () => {
    let nowMs = T0;
    const metrics = createAgentMetrics(() => nowMs);
    const { effects, dropped } = manualEffects();
    const wrapped = metrics.effects(effects);
    for (let i = 0; i < 5; i++) metrics.messages.received();
    metrics.messages.dropped('bad-payload');
    metrics.messages.dropped('bad-payload');
    metrics.messages.dropped('out-of-scope');
    const change = { id: 'i-0', state: 'running', timeMs: T0 + 3_600_000 } as const;
    wrapped.dropped({ type: 'dropped', reason: 'clock-ahead', change: change as never, aheadMs: 3_600_000 });
    nowMs = T0 + 1_500;
    metrics.observe({
      type: 'message',
      topic: 'ec2led/v1/123456789012/eu-west-1/i-0',
      change: {
        id: 'i-0',
        state: 'running',
        timeMs: T0,
        region: 'eu-west-1',
        account: '123456789012',
        eventId: 'e',
      },
    });
    const families = scrape(metrics.render(initialSyncState()));
    expect(value(families, 'ec2led_mqtt_messages_received_total')).toBe(5);
    expect(
      Object.fromEntries(
        DROP_REASONS.map((reason) => [
          reason,
          value(families, 'ec2led_mqtt_messages_dropped_total', { reason }),
        ]),
      ),
    ).toEqual({ 'bad-topic': 0, 'out-of-scope': 1, 'bad-payload': 2, 'topic-mismatch': 0, 'clock-ahead': 1 });
    expect(dropped).toEqual(['i-0']); // the log still hears of it
    expect(value(families, 'ec2led_last_message_timestamp_seconds')).toBe((T0 + 1_500) / 1000);
  });

  it('counts a reconnect for every connection after the first', () => {
    const metrics = createAgentMetrics(() => T0);
    metrics.observe({ type: 'connected', first: true, rejoined: false });
    metrics.observe({ type: 'disconnected', reason: 'gone' });
    metrics.observe({ type: 'connected', first: false, rejoined: true });
    metrics.observe({ type: 'connected', first: false, rejoined: false });
    expect(value(scrape(metrics.render(initialSyncState())), 'ec2led_mqtt_reconnects_total')).toBe(2);
  });

  it('counts and times listings: a success, a failure, and a superseded one neither failed nor timed', async () => {
    let nowMs = T0;
    const metrics = createAgentMetrics(() => nowMs);
    const { effects, pending } = manualEffects();
    const wrapped = metrics.effects(effects);

    const ok = wrapped.list(new AbortController().signal);
    nowMs += 700;
    pending[0]?.resolve({ startedAtMs: T0, items: [] });
    await expect(ok).resolves.toEqual({ startedAtMs: T0, items: [] });

    const failed = wrapped.list(new AbortController().signal);
    nowMs += 12_000;
    pending[1]?.reject(new Error('RequestLimitExceeded'));
    await expect(failed).rejects.toThrow('RequestLimitExceeded');

    const superseded = new AbortController();
    const aborted = wrapped.list(superseded.signal);
    nowMs += 90_000;
    superseded.abort();
    pending[2]?.reject(new Error('aborted'));
    await expect(aborted).rejects.toThrow('aborted');

    const families = scrape(metrics.render(stateWith([], { listedAtMs: T0 })));
    expect(value(families, 'ec2led_listings_total')).toBe(3);
    expect(value(families, 'ec2led_listing_failures_total')).toBe(1);
    expect(families.get('ec2led_listing_duration_seconds')?.metrics[0]).toMatchObject({
      count: '2',
      sum: '12.7',
      buckets: { '0.5': '0', '1': '1', '10': '1', '30': '2', '60': '2', '+Inf': '2' },
    });
    expect(value(families, 'ec2led_last_listing_timestamp_seconds')).toBe(T0 / 1000);
  });

  it('reads instances by kind and state, connection and staleness from the sync state at scrape time', () => {
    const metrics = createAgentMetrics(() => T0);
    const state = stateWith(
      [
        instance(1, 'running', 'web'),
        instance(2, 'running'),
        instance(3, 'stopped'),
        instance(4, 'terminated'),
      ],
      { connected: true, synced: true, staleAccounts: new Map([['210987654321', 'AccessDenied']]) },
    );
    const families = scrape(metrics.render(state));
    const byState = Object.fromEntries(
      families.get('ec2led_instances')?.metrics.map((m) => [m.labels?.state, Number(m.value)]) ?? [],
    );
    expect(byState).toEqual({
      ...Object.fromEntries(ALL_STATES.map((state) => [state, 0])),
      running: 2,
      stopped: 1,
      terminated: 1,
    });
    expect(value(families, 'ec2led_mqtt_connected')).toBe(1);
    expect(value(families, 'ec2led_synced')).toBe(1);
    expect(value(families, 'ec2led_stale_accounts')).toBe(1);
  });

  it('never labels by instance, Name, account or region, whatever the fleet holds', () => {
    const metrics = createAgentMetrics(() => T0);
    const name = '"} 1\nowned 1';
    const hostile = instance(7, 'running', name, { tags: { Name: name }, region: 'x"y', account: 'a\nb' });
    const text = metrics.render(stateWith([hostile], { staleAccounts: new Map([['a\nb', 'x']]) }));
    expect(text).not.toContain(hostile.id);
    expect(text).not.toContain('owned');
    expect(text).not.toContain('x"y');
    const labelNames = new Set(
      parsePrometheusTextFormat(text).flatMap((f) => f.metrics.flatMap((m) => Object.keys(m.labels ?? {}))),
    );
    expect([...labelNames].sort()).toEqual(['kind', 'reason', 'state']);
  });

  it('counts a frame once draw has finished it, and none when it throws', async () => {
    const metrics = createAgentMetrics(() => T0);
    let fail = false;
    const draw = metrics.frames(async (n: number) => {
      if (fail) throw new Error('bus gone');
      return n + 1;
    });
    await expect(draw(1)).resolves.toBe(2);
    await draw(2);
    fail = true;
    await expect(draw(3)).rejects.toThrow('bus gone');
    expect(value(scrape(metrics.render(initialSyncState())), 'ec2led_frames_total')).toBe(2);
  });
});
