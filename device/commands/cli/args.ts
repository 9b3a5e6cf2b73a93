/**
 * Flags of `ec2led agent`, `ec2led status` and `ec2led blank` (node:util parseArgs, strict: an unknown flag is a
 * usage error, exit 2). Flags that set a config key become FlagValues, applied last by config-load.ts.
 */
import { parseArgs } from 'node:util';
import type { FlagValue } from '../../config/config-load.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface AgentArgs {
  readonly help: boolean;
  readonly configPath: string | undefined;
  readonly once: boolean;
  readonly flags: readonly FlagValue[];
}

export interface StatusArgs {
  readonly help: boolean;
  readonly configPath: string | undefined;
  readonly json: boolean;
}

type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

function parse(argv: readonly string[], options: Options) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function parseAgentArgs(argv: readonly string[]): AgentArgs {
  const values = parse(argv, {
    config: { type: 'string' },
    display: { type: 'string' },
    once: { type: 'boolean' },
    'log-format': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const flags: FlagValue[] = [];
  const map = [
    ['display', 'display.board'],
    ['log-format', 'log.format'],
    ['log-level', 'log.level'],
  ] as const;
  for (const [flag, key] of map) {
    const value = values[flag];
    if (typeof value === 'string') flags.push({ key, value, flag: `--${flag}` });
  }
  return {
    help: values.help === true,
    configPath: typeof values.config === 'string' ? values.config : undefined,
    once: values.once === true,
    flags,
  };
}

export function parseStatusArgs(argv: readonly string[]): StatusArgs {
  const values = parse(argv, {
    config: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  return {
    help: values.help === true,
    configPath: typeof values.config === 'string' ? values.config : undefined,
    json: values.json === true,
  };
}

export interface BlankArgs {
  readonly help: boolean;
  readonly configPath: string | undefined;
}

export function parseBlankArgs(argv: readonly string[]): BlankArgs {
  const values = parse(argv, { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  return {
    help: values.help === true,
    configPath: typeof values.config === 'string' ? values.config : undefined,
  };
}
