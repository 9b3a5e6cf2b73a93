/**
 * `ec2led ack`, `ec2led snooze` and `ec2led unsnooze`: "I've seen it" from a shell, through the
 * running agent's status socket (`${stateDir}/agent.sock`, status-socket.ts). What the agent did
 * goes to stdout; a refusal (naming the fix) to stderr.
 */
import { parseArgs } from 'node:util';
import { sanitizeText } from '../../base/sanitize.ts';
import { ConfigError } from '../../config/config.ts';
import { KIND_NAMES } from '../../kinds/kinds.ts';
import type { AttentionRequest } from '../../outputs/web/attention-request.ts';
import { postAttention, socketPath } from '../../outputs/web/status-socket.ts';
import { DEFAULT_SNOOZE_MS, MAX_SNOOZE_MS } from '../../picture/attention.ts';
import { UsageError } from './args.ts';
import { agentStateDir, type StatusDeps } from './status.ts';

export const ATTENTION_COMMANDS = ['ack', 'snooze', 'unsnooze'] as const;
export type AttentionCommand = (typeof ATTENTION_COMMANDS)[number];

const CONFIG_FLAG = `  --config FILE   the agent's config.json (for stateDir); default as for ec2led status`;

export const ATTENTION_USAGE: Readonly<Record<AttentionCommand, string>> = {
  ack: `ec2led ack — acknowledge an urgent (flashing) pixel: it stops flashing until it leaves that state

Examples:
  ec2led ack                       # every urgent item
  ec2led ack cpu-high              # one item, by name (when unique) or id
  ec2led ack arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cpu-high

Flags:
  --all           every urgent item (the default without ITEM)
${CONFIG_FLAG}
Exit codes: 0 done, 1 the agent refused or did not answer, 2 bad usage or config.
`,
  snooze: `ec2led snooze — no urgency from an item, or a whole kind, for a while (or until it gets worse)

Examples:
  ec2led snooze www                # one item for 1h
  ec2led snooze www --for 2h30m
  ec2led snooze --kind probe --for 30m
  ec2led snooze --all              # every urgent item, 1h

Flags:
  --for DURATION  how long: 90s, 30m, 2h, 1d, 1h30m (default 1h, at most 7d, at least 1m)
  --kind KIND     every item of this kind (${KIND_NAMES.join(', ')})
  --all           every urgent item now
${CONFIG_FLAG}
Exit codes: 0 done, 1 the agent refused or did not answer, 2 bad usage or config.
`,
  unsnooze: `ec2led unsnooze — end a snooze now

Examples:
  ec2led unsnooze www
  ec2led unsnooze --kind probe
  ec2led unsnooze --all

Flags:
  --kind KIND     the snooze of a whole kind
  --all           every snooze
${CONFIG_FLAG}
Exit codes: 0 done, 1 the agent refused or did not answer, 2 bad usage or config.
`,
};

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "2h", "1d", "1h30m" -> milliseconds; throws a UsageError naming the fix. */
export function parseDuration(text: string): number {
  const parts = /^(?:\d+[smhd])+$/.test(text) ? [...text.matchAll(/(\d+)([smhd])/g)] : [];
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (UNITS[unit as string] as number), 0);
  if (parts.length === 0 || ms < 60_000 || ms > MAX_SNOOZE_MS)
    throw new UsageError(
      `--for ${JSON.stringify(text)} is not a duration from 1m to 7d; write e.g. 30m, 2h, 1h30m or 1d`,
    );
  return ms;
}

interface Parsed {
  readonly help: boolean;
  readonly configPath: string | undefined;
  readonly request: AttentionRequest | undefined;
}

export function parseAttentionArgs(command: AttentionCommand, argv: readonly string[]): Parsed {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        all: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...(command === 'ack' ? {} : { kind: { type: 'string' } }),
        ...(command === 'snooze' ? { for: { type: 'string' } } : {}),
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const configPath = typeof values.config === 'string' ? values.config : undefined;
  if (values.help === true) return { help: true, configPath, request: undefined };
  if (positionals.length > 1)
    throw new UsageError(`give one ITEM, not ${positionals.length} (quote a name with spaces)`);
  const item = positionals[0];
  const kind = typeof values.kind === 'string' ? values.kind : undefined;
  const chosen = [item !== undefined, kind !== undefined, values.all === true].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('give one of ITEM, --kind KIND or --all');
  if (chosen === 0 && command !== 'ack')
    throw new UsageError(`give an ITEM (id or name), --kind KIND or --all; see ec2led ${command} --help`);
  const target = item !== undefined ? { id: item } : kind !== undefined ? { kind } : ({ all: true } as const);
  const action = command === 'ack' ? 'acknowledge' : command;
  const durationMs =
    command === 'snooze'
      ? typeof values.for === 'string'
        ? parseDuration(values.for)
        : DEFAULT_SNOOZE_MS
      : undefined;
  return {
    help: false,
    configPath,
    request: { action, target, ...(durationMs === undefined ? {} : { durationMs }) },
  };
}

export async function attentionMain(
  command: AttentionCommand,
  argv: readonly string[],
  deps: StatusDeps,
): Promise<number> {
  let stateDir: string;
  let request: AttentionRequest;
  try {
    const parsed = parseAttentionArgs(command, argv);
    if (parsed.help || parsed.request === undefined) {
      deps.stdout(ATTENTION_USAGE[command]);
      return 0;
    }
    request = parsed.request;
    stateDir = agentStateDir(parsed.configPath, deps);
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    deps.stderr(`ec2led ${command}: ${error.message}\n`);
    return 2;
  }
  try {
    const done = await postAttention(socketPath(stateDir), request);
    // Names are user data (a Name tag): no escape sequence or bidi override reaches the terminal.
    deps.stdout(`${sanitizeText(done.message)}\n`);
    return 0;
  } catch (error) {
    deps.stderr(`ec2led ${command}: ${sanitizeText((error as Error).message)}\n`);
    return 1;
  }
}
