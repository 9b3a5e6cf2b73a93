/**
 * `npm start`: the whole pipeline on this machine, without AWS. A simulated fleet lives its days at
 * high speed; every state change goes through the real Lambda handler into an embedded broker, and
 * the real agent (listing from a fake EC2 that holds the same fleet) draws the terminal board and
 * serves the web board. Ctrl-C stops everything and exits 0. Logs go to a file, not over the board.
 */
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../log.ts';
import { sleep } from '../sources/retry.ts';
import { startPipeline } from './pipeline.ts';
import {
  createSimulation,
  DEFAULT_SIM_OPTIONS,
  eventIdFor,
  type SimDay,
  type SimInstance,
} from './simulator.ts';

export const DEMO_USAGE = `npm start -- [flags]: the ec2-led pipeline on this machine, no AWS account needed

Examples:
  npm start
  npm start -- --speed 2880 --size 60 --seed 7
  npm start -- --board none --port 9090     # web board only
  npm start -- --accounts 2                 # two accounts (prod, staging) on one board

Flags:
  --speed N   simulated seconds per real second (default 720: a day in two minutes)
  --size N    instances at the start of the day (default 40; the scale-out adds a fifth more)
  --seed N    random seed of the fleet and its days (default 1)
  --port N    web board port on 127.0.0.1 (default 8080; 0 picks a free one)
  --board K   terminal (default) or none
  --accounts N  simulated accounts, 1-4 (default 1); the others are read through a loopback STS
`;

/** The demo's accounts, home first; `--accounts N` takes the first N. */
export const DEMO_ACCOUNTS = [
  { id: '123456789012', label: 'prod' },
  { id: '210987654321', label: 'staging' },
  { id: '345678901234', label: 'sandbox' },
  { id: '456789012345', label: 'data' },
] as const;

/** Spreads the fleet over the accounts, the same way for every day (by instance id). */
export function spreadOverAccounts<T extends { readonly instanceId: string }>(
  instance: T,
  accounts: readonly string[],
): T & { account: string } {
  let hash = 0;
  for (const c of instance.instanceId) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return { ...instance, account: accounts[hash % accounts.length] as string };
}

interface DemoArgs {
  readonly speed: number;
  readonly size: number;
  readonly seed: number;
  readonly port: number;
  readonly board: 'terminal' | 'none';
  readonly accounts: number;
}

function number(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} ${JSON.stringify(text)} is not a number from ${min} to ${max}`);
  }
  return value;
}

export function parseDemoArgs(argv: readonly string[]): DemoArgs | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      speed: { type: 'string', default: '720' },
      size: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      port: { type: 'string', default: '8080' },
      board: { type: 'string', default: 'terminal' },
      accounts: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.board !== 'terminal' && values.board !== 'none') {
    throw new Error(`--board ${JSON.stringify(values.board)}: the demo draws on terminal or none`);
  }
  return {
    speed: number('speed', values.speed, 1, 1_000_000),
    size: Math.round(number('size', values.size, 1, 1000)),
    seed: Math.round(number('seed', values.seed, 0, 2 ** 31)),
    port: Math.round(number('port', values.port, 0, 65535)),
    board: values.board,
    accounts: Math.round(number('accounts', values.accounts, 1, DEMO_ACCOUNTS.length)),
  };
}

/** A square board that fits the fleet with room for the scale-out: 8x8 for the default 40. */
export function boardSide(size: number): number {
  return Math.max(8, Math.ceil(Math.sqrt(size * 1.25 + 2)));
}

async function main(): Promise<number> {
  let args: DemoArgs;
  try {
    const parsed = parseDemoArgs(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(DEMO_USAGE);
      return 0;
    }
    args = parsed;
  } catch (error) {
    process.stderr.write(`npm start: ${(error as Error).message}\n${DEMO_USAGE}`);
    return 2;
  }
  const logPath = join(tmpdir(), `ec2led-demo-${process.pid}.log`);
  const logFile = createWriteStream(logPath);
  const log = createLogger({ format: 'pretty', write: (line) => logFile.write(line) });
  const options = { ...DEFAULT_SIM_OPTIONS, seed: args.seed, size: args.size };
  const simulation = createSimulation(options);
  const side = boardSide(args.size);
  const days = simulation.days();
  // The first day starts at 07:45, just before the dev boxes start, so something happens at once.
  const startOffsetMs = 7.75 * 3_600_000;
  let started = Date.now();
  const clock = () => {
    const virtualMs = startOffsetMs + (Date.now() - started) * args.speed;
    const minutes = Math.floor((virtualMs % 86_400_000) / 60_000);
    const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
    return `day ${Math.floor(virtualMs / 86_400_000) + 1} ${hh}:${String(minutes % 60).padStart(2, '0')}`;
  };

  let url = '';
  const accounts = DEMO_ACCOUNTS.slice(0, args.accounts);
  const ids = accounts.map((a) => a.id);
  const spread = <T extends SimInstance>(instance: T) =>
    args.accounts === 1 ? instance : spreadOverAccounts(instance, ids);
  const pipeline = await startPipeline({
    instances: simulation.initial.map(spread),
    accounts: args.accounts === 1 ? [options.account] : accounts,
    regions: options.regions,
    board: args.board,
    width: side,
    height: side,
    webPort: args.port,
    log,
    displayDeps: { caption: () => `demo ${clock()} · web board ${url} · logs ${logPath} · Ctrl-C quits` },
  });
  url = pipeline.web?.url ?? '';
  process.stderr.write(`ec2-led demo: web board at ${url}, logs in ${logPath}\n`);

  const stop = new AbortController();
  const run = async () => {
    started = Date.now();
    let index = 0;
    while (!stop.signal.aborted) {
      const { instances, steps } = days.next().value as SimDay;
      const byId = new Map(instances.map((instance) => [instance.instanceId, instance]));
      for (const step of steps) {
        const virtualMs = step.timeMs - options.dayStartMs;
        const dueAt = started + (virtualMs - startOffsetMs) / args.speed;
        const wait = dueAt - Date.now();
        await sleep(wait, stop.signal);
        if (stop.signal.aborted) return;
        const instance = spread(byId.get(step.instanceId) as SimInstance);
        await pipeline.emit(instance, step.state, eventIdFor(step, index++)).catch((error: unknown) => {
          log.warn('emit failed', { error });
        });
      }
    }
  };
  const running = run();

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stop.abort();
  // A second Ctrl-C while shutting down leaves at once.
  process.once('SIGINT', () => process.exit(130));
  await Promise.race([
    Promise.all([running, pipeline.stop()]),
    new Promise((resolve) => setTimeout(resolve, 2000)),
  ]);
  logFile.end();
  process.stderr.write(`ec2-led demo stopped; logs in ${logPath}\n`);
  return 0;
}

// aws-crt keeps the process alive after its client stops (toolchain trap 3): exit explicitly.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `npm start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
