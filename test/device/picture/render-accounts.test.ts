/** Several accounts on one board: labels in the view and the legends, a stale account dimmed. */
import { describe, expect, it } from 'vitest';
import { drawLegend, drawStatus } from '../../../device/outputs/display/boards/terminal-legend.ts';
import { DISCONNECTED_DIM } from '../../../device/picture/animate.ts';
import { legendToWire } from '../../../device/picture/legend.ts';
import { DEFAULT_PALETTE, scaleColor } from '../../../device/picture/palette.ts';
import { renderBoard } from '../../../device/picture/render.ts';
import { assignSlots } from '../../../device/picture/slots.ts';
import { instance } from '../../kit/builders.ts';

const fleet = new Map([
  ['i-00000001', instance(1, 'running', 'i-00000001', { account: '111111111111' })],
  ['i-00000002', instance(2, 'running', 'i-00000002', { account: '222222222222' })],
]);
const layout = assignSlots({ fleet, previous: new Map(), width: 4, height: 1, nowMs: 0, listed: true });
const labels = new Map([
  ['111111111111', 'prod'],
  ['222222222222', 'staging'],
]);

function draw(staleAccounts = new Map<string, string>()) {
  return renderBoard({
    fleet,
    layout,
    palette: DEFAULT_PALETTE,
    status: { connected: true, synced: true },
    nowMs: 0,
    accountLabels: labels,
    staleAccounts,
  });
}

describe('render: several accounts', () => {
  it("names each instance's account by its label, and lists the accounts", () => {
    const { view } = draw();
    expect(view.pixels.flatMap((p) => (p.entry ? [p.entry.accountLabel] : []))).toEqual(['prod', 'staging']);
    expect(view.accounts).toEqual([
      { id: '111111111111', label: 'prod' },
      { id: '222222222222', label: 'staging' },
    ]);
    expect(legendToWire(view).accounts).toEqual(view.accounts);
  });

  it("dims only the stale account's pixels and says why in the view, the status line and the legend", () => {
    const { view, frame } = draw(new Map([['222222222222', 'AssumeRole failed: AccessDenied']]));
    const rgb = (x: number) => [...frame.rgb.slice(x * 3, x * 3 + 3)];
    expect(rgb(0)).toEqual([...DEFAULT_PALETTE.running]);
    expect(rgb(1)).toEqual([...scaleColor(DEFAULT_PALETTE.running, DISCONNECTED_DIM)]);
    expect(view.pixels[1]?.entry?.stale).toBe(true);
    expect(legendToWire(view).pixels[1]?.entry).toMatchObject({ accountLabel: 'staging', stale: true });
    expect(drawStatus(view)).toContain(
      'account staging (222222222222) STALE: AssumeRole failed: AccessDenied',
    );
    const legend = drawLegend(view, 0, 120, Number.POSITIVE_INFINITY, false);
    expect(legend[0]).toMatch(/region +account +since/);
    expect(legend[1]).toMatch(/ prod +0s$/);
    expect(legend[2]).toMatch(/ staging\* +0s$/);
  });

  it('leaves the single-account view as it was: no labels, no account column', () => {
    const { view } = renderBoard({
      fleet,
      layout,
      palette: DEFAULT_PALETTE,
      status: { connected: true, synced: true },
      nowMs: 0,
      accountLabels: new Map([['111111111111', '111111111111']]),
    });
    expect(view.accounts).toBeUndefined();
    expect(view.pixels[0]?.entry).not.toHaveProperty('accountLabel');
    expect(drawLegend(view, 0, 120, Number.POSITIVE_INFINITY, false)[0]).not.toContain('account');
  });
});
