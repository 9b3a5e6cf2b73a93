/**
 * Acknowledge and snooze from the web board in a real Chromium, against a real agent: the detail
 * panel's buttons (reached and pressed with the keyboard) -> POST /api/attention -> the agent -> the
 * board's frame bytes, and every open page sees the new state live over the events stream. The
 * urgent item is a desk probe of a closed TCP port (down: urgent, flashing); a running instance
 * showing a Spot warning (an urgent notice) is acknowledged the same way.
 */
import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Agent, startAgent } from '../../../../device/agent/agent.ts';
import { silentLogger } from '../../../../device/base/log.ts';
import { parseConfig } from '../../../../device/config/config.ts';
import { startAgentWebBoard } from '../../../../device/outputs/web/agent-board.ts';
import type { WebBoard } from '../../../../device/outputs/web/server.ts';
import { QUIET_LEVEL } from '../../../../device/picture/animate.ts';
import { getPixel } from '../../../../device/picture/frame.ts';
import { DEFAULT_PALETTE, scaleColor } from '../../../../device/picture/palette.ts';
import type { Picture } from '../../../../device/picture/picture.ts';
import { encodeNoticeMessage } from '../../../../shared/notice-message.ts';
import { instanceTopic } from '../../../../shared/topics.ts';
import { connectPublisher } from '../../../fakes/mqtt-publisher.ts';
import { waitFor } from '../../../fakes/wait.ts';
import { ACCOUNT, instance, REGION, startWorld, type World } from '../../../fakes/world.ts';
import { launchBrowser, offMachine, openPage, type TestBrowser } from './browser.ts';

let world: World;
let agent: Agent | undefined;
let web: WebBoard | undefined;
let browser: TestBrowser;
const pictures: Picture[] = [];

beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  [world, browser] = await Promise.all([
    startWorld([instance(1, 'running', 'web')], {
      probes: [{ name: 'www', url: `tcp://127.0.0.1:${port}`, intervalSeconds: 10 }],
    }),
    launchBrowser(),
  ]);
  agent = await startAgent({ config: parseConfig(world.raw), log: silentLogger });
  await agent.attach({
    name: 'recorder',
    open: async () => undefined,
    show: async (picture) => void pictures.push(picture),
    close: async () => undefined,
  });
  web = await startAgentWebBoard(agent, { host: '127.0.0.1', port: 0 }, silentLogger);
}, 40_000);

afterAll(async () => {
  await Promise.all([agent?.stop(), web?.close(), browser?.close()]);
  await world?.close();
});

const cell = (page: Page, x: number, y: number) => page.locator(`.pixel[data-x="${x}"][data-y="${y}"]`);

it('acknowledges and snoozes from the detail panel with the keyboard; every page sees it live', async () => {
  const a = agent as Agent;
  const pixel = await waitFor(
    'the probe down',
    () => a.legend().pixels.find((p) => p.entry?.id === 'probe:www' && p.entry.state === 'down'),
    8_000,
  );
  const acting = await openPage(browser, (web as WebBoard).url);
  const watching = await openPage(browser, (web as WebBoard).url);
  const { page } = acting;
  await cell(page, pixel.x, pixel.y).waitFor();
  expect(await cell(page, pixel.x, pixel.y).getAttribute('class')).toContain('flashing');

  // Keyboard only: focus the pixel (it shows in the panel), Enter pins it, Tab on to the button, Enter.
  await cell(page, pixel.x, pixel.y).focus();
  await page.locator('#attention-state', { hasText: 'Urgent' }).waitFor();
  await page.keyboard.press('Enter');
  const tabs = await page.evaluate(() => [...document.querySelectorAll('button, select')].length);
  for (
    let i = 0;
    i < tabs && !(await page.locator('#acknowledge').evaluate((el) => el === document.activeElement));
    i++
  )
    await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#attention-status', { hasText: 'acknowledged "www" (probe:www)' }).waitFor();

  // The agent: acknowledged by the web board, the pixel steady and dimmed in the frame.
  const quiet = scaleColor(DEFAULT_PALETTE.down, QUIET_LEVEL);
  await waitFor('a steady frame', () => pictures.at(-1)?.animating === false, 2_000);
  expect(getPixel((pictures.at(-1) as Picture).frame, pixel.x, pixel.y)).toEqual(quiet);
  expect(a.legend().pixels.find((p) => p.entry?.id === 'probe:www')?.entry?.attention?.acknowledged?.by).toBe(
    'web',
  );

  // The other page, live: the pixel quiet (steady, in the key's dimmed colour), the legend says so.
  const other = watching.page;
  const seen = cell(other, pixel.x, pixel.y);
  await other.waitForFunction(
    ([x, y]) => document.querySelector(`.pixel[data-x="${x}"][data-y="${y}"]`)?.classList.contains('quiet'),
    [pixel.x, pixel.y],
  );
  expect(await seen.getAttribute('class')).not.toContain('flashing');
  expect(await seen.getAttribute('aria-label')).toMatch(/down, acknowledged$/);
  // The key's quiet colour, once the page's colour transition has run.
  const [r, g, b] = quiet;
  await other.waitForFunction(
    ([x, y, want]) => {
      const el = document.querySelector(`.pixel[data-x="${x}"][data-y="${y}"]`);
      return el !== null && getComputedStyle(el).backgroundColor === want;
    },
    [pixel.x, pixel.y, `rgb(${r}, ${g}, ${b})`] as const,
  );
  await other.locator('#legend-rows td', { hasText: 'down · acknowledged' }).waitFor();
  await other.locator('#key li', { hasText: 'down, acknowledged or snoozed' }).waitFor();

  // Snooze for 4 h, chosen with the keyboard too.
  await page.locator('#snooze-for').focus();
  await page.keyboard.press('ArrowDown'); // 1 h -> 4 h
  await page.locator('#snooze').focus();
  await page.keyboard.press('Enter');
  await page.locator('#attention-status', { hasText: /^snoozed "www" \(probe:www\) until / }).waitFor();
  const snoozed = a.legend().pixels.find((p) => p.entry?.id === 'probe:www')?.entry?.attention?.snoozed;
  expect(snoozed?.by).toBe('web');
  expect((snoozed?.untilMs ?? 0) - (snoozed?.atMs ?? 0)).toBe(4 * 3_600_000);
  await cell(other, pixel.x, pixel.y).click();
  await other.locator('#attention-state', { hasText: /Snoozed by web .* until / }).waitFor();
  expect(await other.locator('#acknowledge').isHidden()).toBe(true);

  await page.locator('#unsnooze').click();
  await page.locator('#attention-status', { hasText: 'unsnoozed probe:www' }).waitFor();
  await other.locator('#attention-state', { hasText: /^Acknowledged by web/ }).waitFor();

  // "Which one?" from the HAT's button: every page names the blinking item.
  expect(a.highlightNextUrgent('button')?.id).toBe('probe:www');
  await other.locator('#badge-highlight', { hasText: 'blinking: www' }).waitFor();

  for (const watch of [acting, watching]) {
    expect(watch.problems).toEqual([]);
    expect(await watch.cspViolations()).toEqual([]);
  }
  expect(offMachine(browser.requests)).toEqual([]);
}, 40_000);

it('refuses an attention POST from another origin, or larger than its limit', async () => {
  const url = `${(web as WebBoard).url}api/attention`;
  const body = JSON.stringify({ action: 'acknowledge', target: { all: true } });
  const cross = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    body,
  });
  expect(cross.status).toBe(403);
  const big = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'acknowledge', target: { id: 'x'.repeat(5000) } }),
  });
  expect(big.status).toBe(413);
  const bad = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'forget', target: { all: true } }),
  });
  expect(bad.status).toBe(400);
  expect((await bad.json()).error).toMatch(/^action: .*send \{"action"/);
  const notUrgent = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'acknowledge', target: { id: 'web' } }),
  });
  expect(notUrgent.status).toBe(422);
  expect((await notUrgent.json()).error).toMatch(/is running, which is not urgent/);
});

it('offers Acknowledge for a running instance showing a Spot warning (an urgent notice)', async () => {
  const a = agent as Agent;
  const id = instance(1, 'running').instanceId;
  const publisher = await connectPublisher(world.broker.port, world.pki);
  const now = Date.now();
  await publisher.publish(
    instanceTopic('ec2led', { account: ACCOUNT, region: REGION, instanceId: id }),
    encodeNoticeMessage({
      v: 1,
      kind: 'notice',
      id,
      notice: 'spot-interruption',
      action: 'terminate',
      start: now + 120_000,
      end: now + 180_000,
      time: now,
      region: REGION,
      account: ACCOUNT,
      event: 'spot-page',
    }),
  );
  await publisher.close();
  const pixel = await waitFor(
    'the Spot notice',
    () => a.legend().pixels.find((p) => p.entry?.id === id && p.entry.notice?.urgent === true),
    3_000,
  );
  const { page, problems, cspViolations } = await openPage(browser, (web as WebBoard).url);
  await cell(page, pixel.x, pixel.y).click();
  await page.locator('#attention-state', { hasText: 'Urgent' }).waitFor();
  await page.locator('#acknowledge').click();
  await page.locator('#attention-status', { hasText: `acknowledged "web" (${id})` }).waitFor();
  await page.locator('#attention-state', { hasText: /^Acknowledged by web/ }).waitFor();
  expect(await page.locator('#acknowledge').isHidden()).toBe(true);
  expect(a.legend().pixels.find((p) => p.entry?.id === id)?.entry?.attention?.acknowledged?.by).toBe('web');
  expect(problems).toEqual([]);
  expect(await cspViolations()).toEqual([]);
}, 20_000);
