import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createLogger } from '../device/base/log.ts';
import { DEMO_ALARMS } from '../device/demo/alarm-sim.ts';
import { boardSide, demoAgentSettings } from '../device/demo/main.ts';
import { startPipeline } from '../device/demo/pipeline.ts';
import { createSimulation, DEFAULT_SIM_OPTIONS, type SimInstance } from '../device/demo/simulator.ts';
import type { Legend } from '../device/picture/legend.ts';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';
import { isMain } from './is-main.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const VIEWPORT = { width: 1280, height: 900 } as const;

/** Polls `check` every 50 ms until it returns something, for at most `ms`. */
async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`screenshot: gave up waiting for ${what} after ${ms} ms`);
}

export async function takeScreenshot(out: string): Promise<void> {
  const simulation = createSimulation(DEFAULT_SIM_OPTIONS);
  const side = boardSide(DEFAULT_SIM_OPTIONS.size);
  const lines: string[] = [];
  const pipeline = await startPipeline({
    instances: simulation.initial,
    accounts: [DEFAULT_SIM_OPTIONS.account],
    regions: DEFAULT_SIM_OPTIONS.regions,
    board: 'none',
    width: side,
    height: side,
    webPort: 0,
    alarms: DEMO_ALARMS,
    ...demoAgentSettings(side, 1),
    log: createLogger({ format: 'json', write: (line) => void lines.push(line) }),
  });
  const profile = await mkdtemp(join(tmpdir(), 'ec2led-screenshot-'));
  try {
    const url = pipeline.web?.url as string;
    const board = async () => (await (await fetch(`${url}api/board`)).json()) as Legend;
    await until('the synced board with its alarms', async () => {
      const view = await board();
      return view.synced && view.pixels.filter((p) => p.entry?.kind === 'alarm').length === DEMO_ALARMS.length
        ? view
        : undefined;
    });
    // Something in progress and an alarm firing, so the picture shows every look.
    const named = (prefix: string) => simulation.initial.find((i) => i.name.startsWith(prefix));
    const changes: Array<[SimInstance | undefined, 'pending' | 'stopping']> = [
      [named('dev-alice-'), 'pending'],
      [named('dev-bob-'), 'pending'],
      [named('worker-'), 'stopping'],
    ];
    let n = 0;
    for (const [instance, state] of changes)
      if (instance !== undefined) await pipeline.emit(instance, state, `screenshot-${n++}`);
    const alarm = DEMO_ALARMS.find((a) => a.name === 'web-5xx');
    if (alarm !== undefined)
      await pipeline.emitAlarm(
        { name: alarm.name, region: alarm.region, state: 'ALARM' },
        `screenshot-${n++}`,
      );
    const shown = await until('the changes on the board', async () => {
      const view = await board();
      const states = new Map(view.pixels.map((p) => [p.entry?.name, p.entry?.state]));
      return states.get('web-5xx') === 'ALARM' && states.get('dev-alice-1') === 'pending' ? view : undefined;
    });
    const pinned = shown.pixels.find((p) => p.entry?.name === 'web-5xx');

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      locale: 'en-GB',
      timezoneId: 'UTC',
      timeout: 20_000,
    });
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.locator('#badge-agent', { hasText: 'live' }).waitFor();
      await page.locator('.key-kind').first().waitFor();
      if (pinned !== undefined)
        await page.locator(`.pixel[data-x="${pinned.x}"][data-y="${pinned.y}"]`).click();
      await page.mouse.move(5, 5); // no hover look in the picture; the click pinned the detail
      await page.screenshot({ path: out, animations: 'disabled' });
    } finally {
      await context.close();
    }
  } finally {
    await pipeline.stop();
    await rm(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: `${ROOT}docs/web-board.png` } },
  });
  await takeScreenshot(values.out);
  process.stdout.write(`screenshot: wrote ${values.out} (${VIEWPORT.width}x${VIEWPORT.height})\n`);
  return 0;
}

if (isMain(import.meta.url)) {
  // The agent's aws-crt client keeps the process alive after it stops (docs/reference/toolchain.md §3).
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`screenshot: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
