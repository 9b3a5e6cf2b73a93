/** The web board page in a real Chromium, against a real server on 127.0.0.1 with a fake view. */
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourKey } from '../../../../device/outputs/web/key.ts';
import { startWebBoard, type WebBoard } from '../../../../device/outputs/web/server.ts';
import type { LegendEntry, LegendPixel } from '../../../../device/picture/legend.ts';
import { launchBrowser, offMachine, openPage, type PageWatch, type TestBrowser } from './browser.ts';
import {
  COLORS,
  fleetView,
  HOSTILE_NAMES,
  hostileView,
  LONG_ALARM,
  mixedView,
  rgb,
  ViewHolder,
} from './views.ts';

const ROOT = fileURLToPath(new URL('../../../../../../', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  readonly id: string;
  readonly impact: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/**
 * axe-core's violations on the page as it is. The script goes in through the DevTools protocol
 * (page.evaluate), not a <script> element, so the page's CSP stays as strict as it is served.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(await readFile(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

let browser: TestBrowser;
let board: WebBoard;
const views = new ViewHolder(fleetView(Date.now()));
const identified: Array<{ x: number; y: number }> = [];

beforeAll(async () => {
  [browser, board] = await Promise.all([
    launchBrowser(),
    startWebBoard({ port: 0, view: views.view, onIdentify: (target) => void identified.push(target) }),
  ]);
});

afterAll(async () => {
  await Promise.all([browser?.close(), board?.close()]);
});

const cell = (page: Page, x: number, y: number) => page.locator(`.pixel[data-x="${x}"][data-y="${y}"]`);

async function backgroundOf(page: Page, x: number, y: number): Promise<string> {
  return cell(page, x, y).evaluate((el) => getComputedStyle(el).backgroundColor);
}

/** The page raised no console error, no CSP violation, no dialog, and asked nothing of another host. */
async function expectClean(watch: PageWatch): Promise<void> {
  expect(watch.problems).toEqual([]);
  expect(await watch.cspViolations()).toEqual([]);
  expect(watch.dialogs).toEqual([]);
  expect(offMachine(browser.requests)).toEqual([]);
}

/** The first pixel at or after index `from` whose instance is running. */
function runningPixel(from: number): LegendPixel & { entry: LegendEntry } {
  const found = views.current.pixels.slice(from).find((p) => p.entry?.state === 'running');
  if (found?.entry == null) throw new Error(`fixture: no running pixel after index ${from}`);
  return found as LegendPixel & { entry: LegendEntry };
}

async function openBoard(): Promise<PageWatch> {
  const watch = await openPage(browser, board.url);
  await watch.page.locator('#badge-agent', { hasText: 'live' }).waitFor();
  return watch;
}

describe('web board page', () => {
  it('draws every pixel of the board in its colour, with the status badges', async () => {
    views.current = fleetView(Date.now());
    const watch = await openBoard();
    const { page } = watch;
    await expect.poll(() => page.locator('.pixel').count()).toBe(64);
    for (const p of views.current.pixels.filter((_, i) => i % 5 === 0)) {
      const expected = p.entry === null ? 'rgb(26, 31, 39)' : rgb(p.color);
      expect(await backgroundOf(page, p.x, p.y)).toBe(expected);
    }
    expect(await page.locator('#badge-mqtt').textContent()).toBe('MQTT connected');
    expect(await page.locator('#badge-sync').textContent()).toBe('synced with EC2');
    expect(await page.locator('#badge-overflow').isHidden()).toBe(true);
    expect(await page.locator('#legend-rows tr').count()).toBe(41);
    await expectClean(watch);
    await page.close();
  });

  it('changes a pixel, the badges and the overflow count live after notify()', async () => {
    views.current = fleetView(Date.now());
    const watch = await openBoard();
    const { page } = watch;
    expect(await backgroundOf(page, 0, 0)).toBe(rgb(COLORS.running));
    const first = views.current.pixels[0]?.entry;
    if (!first) throw new Error('fixture: pixel 0,0 is lit');
    const pixels = views.current.pixels.map((p, i) =>
      i === 0 ? { ...p, color: COLORS.stopping, entry: { ...first, state: 'stopping' as const } } : p,
    );
    views.current = { ...views.current, connected: false, synced: false, overflow: 3, pixels };
    board.notify();
    await expect.poll(() => backgroundOf(page, 0, 0), { timeout: 3_000 }).toBe(rgb(COLORS.stopping));
    expect(await page.locator('#badge-mqtt').textContent()).toBe('MQTT disconnected');
    expect(await page.locator('#badge-sync').textContent()).toBe('not yet synced');
    expect(await page.locator('#badge-overflow').textContent()).toBe('+3 instances without a pixel');
    await expect
      .poll(() => page.locator('#legend-rows tr td:nth-child(6)').first().textContent())
      .toBe('stopping');
    await expectClean(watch);
    await page.close();
  });

  it('shows hostile Name tags as plain, visible text: no element, no dialog, no bidi override', async () => {
    views.current = hostileView(Date.now());
    const watch = await openBoard();
    const { page } = watch;
    await expect.poll(() => page.locator('#legend-rows tr').count()).toBe(6);
    const names = await page.locator('#legend-rows tr td:nth-child(5)').allTextContents();
    expect(names.slice(0, 5)).toEqual([
      HOSTILE_NAMES.html,
      HOSTILE_NAMES.script,
      'red-alert',
      'title-change',
      'evilexe.txt',
    ]);
    expect(names[5]).toBe(`long-${'x'.repeat(34)}…`);
    expect(await page.locator('#legend-rows tr td:nth-child(5)').last().getAttribute('title')).toBe(
      HOSTILE_NAMES.long,
    );
    await cell(page, 0, 0).click();
    expect(await page.locator('#detail-title').textContent()).toBe(HOSTILE_NAMES.html);
    const dom = await page.evaluate(() => ({
      images: document.querySelectorAll('img').length,
      scripts: [...document.scripts].map((s) => s.getAttribute('src')),
      // Text and attributes made from board data (the static markup has its own newlines).
      text: [
        ...document.querySelectorAll(
          '#legend-rows td, #detail-body dd, #detail-title, [title], [aria-label]',
        ),
      ]
        .map((el) => `${el.textContent}${el.getAttribute('title')}${el.getAttribute('aria-label')}`)
        .join(''),
      title: document.title,
    }));
    expect(dom.images).toBe(0);
    expect(dom.scripts).toEqual(['/app.js']);
    expect(dom.text).not.toMatch(/[\p{Cc}\p{Cf}]/u); // controls, escapes, bidi overrides, zero-width
    expect(dom.title).toBe('ec2-led board');
    await expectClean(watch);
    await page.close();
  });

  it('shows the instance behind a hovered pixel, and identify sends its x,y to the agent', async () => {
    const now = Date.now();
    views.current = fleetView(now);
    const watch = await openBoard();
    const { page } = watch;
    const shown = runningPixel(9);
    await cell(page, shown.x, shown.y).hover();
    expect(await page.locator('#detail-pixel').textContent()).toBe(`${shown.x},${shown.y}`);
    expect(await page.locator('#detail-id').textContent()).toBe(shown.entry.id);
    expect(await page.locator('#detail-title').textContent()).toBe(shown.entry.name);
    expect(await page.locator('#detail-since').textContent()).toMatch(/^running for (\d+ h )?\d+ min$/);
    await cell(page, 5, 3).click();
    await page.locator('#identify').click();
    await page.locator('#identify-status', { hasText: 'Pixel 5,3 is blinking on the board.' }).waitFor();
    expect(identified).toContainEqual({ x: 5, y: 3 });
    await expectClean(watch);
    await page.close();
  });

  it('says the page lost contact with the agent when the stream drops', async () => {
    const lonely = await startWebBoard({ port: 0, view: () => fleetView(Date.now()), onIdentify: () => {} });
    const page = await browser.context.newPage();
    try {
      await page.goto(lonely.url);
      await page.locator('#badge-agent', { hasText: 'live' }).waitFor();
      await lonely.close();
      await page.locator('#badge-agent', { hasText: 'page lost contact with agent' }).waitFor();
      expect(await page.locator('#board').getAttribute('class')).toContain('stale');
    } finally {
      await page.close();
      await lonely.close();
    }
  });

  it('draws a colour key of the kinds on the board from the agent, and counts what it shows per kind', async () => {
    views.current = mixedView(Date.now());
    const watch = await openBoard();
    const { page } = watch;
    await page.locator('.key-kind').nth(1).waitFor();
    const key = colourKey();
    const groups = await page.locator('.key-kind').evaluateAll((els) =>
      els.map((el) => ({
        title: el.querySelector('h3')?.textContent,
        states: [...el.querySelectorAll('li')].map((li) => ({
          text: li.textContent,
          color: getComputedStyle(li.querySelector('.swatch') as Element).backgroundColor,
        })),
      })),
    );
    const expected = key.kinds
      .filter((k) => k.kind === 'instance' || k.kind === 'alarm') // the kinds on this board
      .map((k) => ({
        title: k.label,
        states: k.states.flatMap((s) => [
          {
            text: `${s.state}${s.look === 'steady' ? '' : s.look === 'flashing' ? ' flashes' : ' pulses'}`,
            color: rgb(s.color),
          },
          // An urgent state, then its look once acknowledged or snoozed.
          ...(s.quietColor === undefined
            ? []
            : [{ text: `${s.state}, acknowledged or snoozed steady, dimmed`, color: rgb(s.quietColor) }]),
        ]),
      }));
    expect(groups).toEqual(expected);
    expect(await page.locator('#board-caption').textContent()).toBe(
      '8×8 board · 45 shown: 41 instances, 4 alarms',
    );
    await expectClean(watch);
    await page.close();
  });

  it('at 1,280 px, keeps a long alarm ARN from widening the legend, with the whole ARN as a tooltip', async () => {
    views.current = mixedView(Date.now());
    const watch = await openBoard();
    const { page } = watch;
    await page.setViewportSize({ width: 1280, height: 800 });
    const row = page.locator('#legend-rows tr', { hasText: 'check-https' });
    const id = row.locator('td:nth-child(4)');
    expect(await id.getAttribute('title')).toBe(
      `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${LONG_ALARM}`,
    );
    expect((await id.textContent())?.length).toBeLessThanOrEqual(24);
    const widths = await page.evaluate(() => {
      const panel = document.getElementById('legend-panel') as HTMLElement;
      return {
        page: document.documentElement.scrollWidth,
        panel: panel.scrollWidth,
        shown: panel.clientWidth,
      };
    });
    expect(widths.page).toBeLessThanOrEqual(1280);
    expect(widths.panel).toBeLessThanOrEqual(widths.shown);
    await expectClean(watch);
    await page.close();
  });

  it('flashes an ALARM pixel, and with reduced motion shows it steady in a double ring instead', async () => {
    views.current = mixedView(Date.now());
    const watch = await openBoard();
    const { page } = watch;
    const alarmCell = cell(page, 0, 7);
    await expect.poll(() => alarmCell.getAttribute('class')).toContain('flashing');
    const look = () =>
      alarmCell.evaluate((el) => {
        const style = getComputedStyle(el);
        return { animation: style.animationName, outline: style.outlineStyle };
      });
    expect(await look()).toEqual({ animation: 'flash', outline: 'none' });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await look()).toEqual({ animation: 'none', outline: 'double' });
    const pulsing = page.locator('.pixel.pulsing').first();
    expect(await pulsing.evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
    expect(await pulsing.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('dashed');
    await expectClean(watch);
    await page.close();
  });

  it('has no axe-core violation at 1,280 px, with alarms, a pinned pixel and the legend', async () => {
    views.current = mixedView(Date.now());
    const watch = await openBoard();
    const { page } = watch;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('.key-kind').nth(1).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await cell(page, 0, 7).click();
    await page.locator('#detail-body').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await expectClean(watch);
    await page.close();
  });

  it('renders a realistic fleet with one pixel explained (screenshot artifact)', async () => {
    const now = Date.now();
    const fleet = fleetView(now);
    views.current = { ...fleet, overflow: 0 };
    const watch = await openBoard();
    const { page } = watch;
    const shown = runningPixel(19);
    await cell(page, shown.x, shown.y).click();
    await page.mouse.move(5, 5); // no hover scale in the picture; the click pinned the detail
    await page.locator('#detail-body').waitFor();
    expect(await page.locator('#detail-pixel').textContent()).toBe(`${shown.x},${shown.y}`);
    await mkdir(`${ROOT}test-results`, { recursive: true });
    await page.screenshot({ path: `${ROOT}test-results/web-board.png` });
    await expectClean(watch);
    await page.close();
  });
});
