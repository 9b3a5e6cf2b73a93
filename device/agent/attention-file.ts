/**
 * The attention file: acknowledgements and snoozes as text, so they survive a restart
 * (attention-store.ts keeps it as `attention.json` in the state directory). Pure.
 *
 *   {
 *     "version": 1,
 *     "acknowledged": [
 *       { "id": "arn:aws:cloudwatch:…:alarm:cpu", "state": "ALARM", "sinceMs": 1764400000000,
 *         "by": "web", "atMs": 1764400060000 }
 *     ],
 *     "snoozes": [
 *       { "id": "probe:www", "state": "down", "by": "cli", "atMs": 1764400000000, "untilMs": 1764403600000 },
 *       { "kind": "alarm", "by": "button", "atMs": 1764400000000, "untilMs": 1764403600000,
 *         "baseline": { "arn:…:alarm:cpu": "ALARM" }, "released": [] }
 *     ]
 *   }
 *
 * Contract: `serializeAttention` writes entries in id order, so equal attention gives equal text.
 * `parseAttention` never throws: a corrupt, foreign or oversized file gives no attention and a
 * reason; a snooze that has expired by `nowMs` is dropped (not a reason: time passed while the agent
 * was down). One schema (zod) says what an entry is.
 */
import { z } from 'zod';
import { isKind, type Kind } from '../kinds/kinds.ts';
import {
  ATTENTION_SOURCES,
  type Attention,
  type KindSnooze,
  MAX_SNOOZE_MS,
  NO_ATTENTION,
} from '../picture/attention.ts';

export const ATTENTION_FILE_VERSION = 1;
/** Thousands of entries fit in far less; anything larger is not ours. */
export const MAX_ATTENTION_FILE_BYTES = 1_048_576;

const text = z.string().min(1).max(2048);
const time = z.number().int().nonnegative();
const by = z.enum(ATTENTION_SOURCES);

const fileSchema = z.strictObject({
  version: z.literal(ATTENTION_FILE_VERSION),
  acknowledged: z.array(z.strictObject({ id: text, state: text, sinceMs: time, by, atMs: time })),
  snoozes: z.array(
    z.union([
      z.strictObject({ id: text, state: text, by, atMs: time, untilMs: time }),
      z.strictObject({
        kind: text.refine(isKind, 'not a kind this agent knows'),
        by,
        atMs: time,
        untilMs: time,
        baseline: z.record(text, text),
        released: z.array(text),
      }),
    ]),
  ),
});

export interface AttentionParse {
  readonly attention: Attention;
  /** Why the file was ignored (for a warning); undefined when it was used. */
  readonly reason: string | undefined;
}

const byId = <T>(entries: Iterable<[string, T]>) =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function serializeAttention(attention: Attention): string {
  const body = {
    version: ATTENTION_FILE_VERSION,
    acknowledged: byId(attention.acknowledged).map(([, a]) => ({
      id: a.id,
      state: a.state,
      sinceMs: a.sinceMs,
      by: a.by,
      atMs: a.atMs,
    })),
    snoozes: [
      ...byId(attention.items).map(([, s]) => ({
        id: s.id,
        state: s.state,
        by: s.by,
        atMs: s.atMs,
        untilMs: s.untilMs,
      })),
      ...byId(attention.kinds).map(([, s]) => ({
        kind: s.kind,
        by: s.by,
        atMs: s.atMs,
        untilMs: s.untilMs,
        baseline: Object.fromEntries(byId(s.baseline)),
        released: [...s.released].sort(),
      })),
    ],
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function none(reason: string): AttentionParse {
  return { attention: NO_ATTENTION, reason: `${reason}; starting with no acknowledgements or snoozes` };
}

export function parseAttention(input: string, nowMs: number): AttentionParse {
  if (input.length > MAX_ATTENTION_FILE_BYTES)
    return none(`attention file of ${input.length} characters is too large`);
  let json: unknown;
  try {
    json = JSON.parse(input);
  } catch (error) {
    return none(`attention file is not JSON (${(error as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return none(`attention file: ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}`);
  }
  const acknowledged = new Map(parsed.data.acknowledged.map((a) => [a.id, a] as const));
  const items = new Map<string, Attention['items'] extends ReadonlyMap<string, infer T> ? T : never>();
  const kinds = new Map<Kind, KindSnooze>();
  for (const s of parsed.data.snoozes) {
    // Expired while the agent was down, or longer than a snooze can be (a clock that jumped back).
    if (s.untilMs <= nowMs || s.untilMs - nowMs > MAX_SNOOZE_MS) continue;
    if ('id' in s) items.set(s.id, s);
    else
      kinds.set(s.kind as Kind, {
        kind: s.kind as Kind,
        by: s.by,
        atMs: s.atMs,
        untilMs: s.untilMs,
        baseline: new Map(Object.entries(s.baseline)),
        released: new Set(s.released),
      });
  }
  return { attention: { acknowledged, items, kinds }, reason: undefined };
}
