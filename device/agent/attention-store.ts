/**
 * The attention file on disk: `attention.json` in the agent's state directory, beside `slots.json`
 * and `fleet.json` (agent/attention-file.ts has the format), so acknowledgements and snoozes
 * survive a restart.
 *
 * Contract:
 * - `loadAttention` never throws: no file gives none and no reason; an unreadable, corrupt or
 *   oversized file, or one that is not a regular file, gives none and a reason naming the path and
 *   the fix (slot-store.ts `readStateFile`: bounded, never blocking). Expired snoozes are dropped.
 * - `attentionOutput` saves the attention of the pictures shown whenever it changes (they change
 *   only on a command or when an entry ends: rare), one save at a time, atomically (slot-store.ts
 *   `writeStateFile`); `close` waits for the last save.
 */
import { join } from 'node:path';
import type { Logger } from '../base/log.ts';
import { readStateFile, writeStateFile } from '../base/state-file.ts';
import type { Output } from '../outputs/outputs.ts';
import { type Attention, NO_ATTENTION } from '../picture/attention.ts';
import {
  type AttentionParse,
  MAX_ATTENTION_FILE_BYTES,
  parseAttention,
  serializeAttention,
} from './attention-file.ts';

export const ATTENTION_FILE_NAME = 'attention.json';

export async function loadAttention(stateDir: string, nowMs: number = Date.now()): Promise<AttentionParse> {
  const path = join(stateDir, ATTENTION_FILE_NAME);
  const read = await readStateFile(path, MAX_ATTENTION_FILE_BYTES);
  if (read.kind === 'missing') return { attention: NO_ATTENTION, reason: undefined };
  if (read.kind === 'refused')
    return {
      attention: NO_ATTENTION,
      reason: `${read.reason}; starting with no acknowledgements or snoozes`,
    };
  const parsed = parseAttention(read.text, nowMs);
  return parsed.reason === undefined ? parsed : { ...parsed, reason: `${path}: ${parsed.reason}` };
}

export function saveAttention(stateDir: string, attention: Attention): Promise<void> {
  return writeStateFile(stateDir, ATTENTION_FILE_NAME, serializeAttention(attention), 'the acknowledgements');
}

/** Saves the attention of the pictures shown when it changes; `loaded` is what was restored. */
export function attentionOutput(stateDir: string, loaded: Attention, log: Logger): Output {
  let saved = loaded;
  let text = serializeAttention(loaded);
  let saving: Promise<void> = Promise.resolve();
  return {
    name: 'attention file',
    open: async () => undefined,
    async show({ attention }) {
      if (attention === undefined || attention === saved) return;
      saved = attention;
      const next = serializeAttention(attention);
      if (next === text) return;
      text = next;
      saving = saving
        .then(() => writeStateFile(stateDir, ATTENTION_FILE_NAME, next, 'the acknowledgements'))
        .catch((error: unknown) =>
          log.warn('acknowledgements not saved', { error: (error as Error).message }),
        );
    },
    close: () => saving,
  };
}
