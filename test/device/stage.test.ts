import { describe, expect, it } from 'vitest';
import { createStage } from '../../device/agent/stage.ts';
import { createLatch } from '../../device/base/latch.ts';
import { createLogger } from '../../device/base/log.ts';
import type { Item } from '../../device/fleet/item.ts';
import { initialSyncState, type SyncState } from '../../device/fleet/sync.ts';
import type { Output } from '../../device/outputs/outputs.ts';
import type { Picture } from '../../device/picture/picture.ts';

function running(id: string): Item {
  return {
    kind: 'instance',
    id,
    state: 'running',
    timeMs: 0,
    sinceMs: 0,
    region: 'eu-west-1',
    account: '123456789012',
    name: id,
    tags: {},
  };
}

function stateWith(...instances: Item[]): SyncState {
  return {
    ...initialSyncState(),
    connected: true,
    synced: true,
    fleet: new Map(instances.map((i) => [i.id, i])),
  };
}

function recording(name: string, fail = false): Output & { shown: Picture[]; events: string[] } {
  const shown: Picture[] = [];
  const events: string[] = [];
  return {
    name,
    shown,
    events,
    open: async () => void events.push('open'),
    async show(picture) {
      shown.push(picture);
      if (fail) throw new Error(`${name} is broken`);
    },
    close: async () => void events.push('close'),
  };
}

describe('stage', () => {
  it('shows every picture on every output, and a failing output neither stops the others nor the stage', async () => {
    const lines: string[] = [];
    const broken = recording('broken', true);
    const display = recording('display');
    const stage = createStage({
      settings: { width: 2, height: 2 },
      slots: new Map(),
      outputs: [broken, display],
      log: createLogger({ write: (line) => lines.push(line) }),
    });
    await stage.open();
    expect(display.events).toEqual(['open']);
    await stage.draw(stateWith(running('i-00000001')), 0);
    expect(display.shown).toHaveLength(1);
    expect(broken.shown).toHaveLength(1);
    expect(lines.join('')).toContain('broken render failed');
    expect(
      stage
        .legend()
        .pixels.filter((p) => p.entry !== null)
        .map((p) => p.entry?.id),
    ).toEqual(['i-00000001']);
    await stage.close();
    expect(display.events).toEqual(['open', 'close']);
  });

  it('shows the current picture at once to an output attached later', async () => {
    const stage = createStage({
      settings: { width: 2, height: 2 },
      slots: new Map(),
      outputs: [],
      log: createLogger({ write: () => undefined }),
    });
    await stage.open();
    await stage.draw(stateWith(running('i-00000001')), 0);
    const late = recording('web board');
    await stage.attach(late);
    expect(late.events).toEqual(['open']);
    expect(late.shown).toHaveLength(1);
  });

  it('tells legend listeners only when the legend changes by content', async () => {
    const stage = createStage({
      settings: { width: 2, height: 2 },
      slots: new Map(),
      outputs: [],
      log: createLogger({ write: () => undefined }),
    });
    let changes = 0;
    stage.onLegendChange(() => {
      changes += 1;
    });
    await stage.open();
    const one = stateWith(running('i-00000001'));
    await stage.draw(one, 0);
    await stage.draw(one, 50);
    await stage.draw(stateWith(running('i-00000001')), 100); // a new fleet object, the same content
    expect(changes).toBe(1);
    await stage.draw(stateWith(running('i-00000001'), running('i-00000002')), 150);
    expect(changes).toBe(2);
  });

  it('blinks the identified pixel until its end time', async () => {
    const stage = createStage({
      settings: { width: 2, height: 2 },
      slots: new Map(),
      outputs: [],
      log: createLogger({ write: () => undefined }),
    });
    const display = recording('display');
    await stage.attach(display);
    stage.identify({ x: 1, y: 1 }, 1_000);
    expect(await stage.draw(stateWith(), 0)).toBeGreaterThan(0);
    expect(await stage.draw(stateWith(), 1_000)).toBeUndefined();
  });
});

describe('latch', () => {
  it('tells listeners once, those added before and those added after', () => {
    const latch = createLatch<string>();
    const heard: string[] = [];
    latch.on((value) => heard.push(`early ${value}`));
    latch.set('tls failed');
    latch.set('second');
    latch.on((value) => heard.push(`late ${value}`));
    expect(heard).toEqual(['early tls failed', 'late tls failed']);
  });
});
