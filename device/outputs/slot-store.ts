/**
 * The slot file on disk: `slots.json` in the agent's state directory, read and written as a state
 * file (state-file.ts).
 *
 * Contract:
 * - `loadSlots` never throws: no file yet gives empty slots and no reason; an unreadable or corrupt
 *   file gives empty slots and a reason to log (the next save replaces it).
 */
import { join } from 'node:path';
import { readStateFile, writeStateFile } from '../base/state-file.ts';
import { MAX_SLOT_FILE_BYTES, parseSlots, type SlotParse, serializeSlots } from '../picture/slot-file.ts';
import type { SlotMap } from '../picture/slots.ts';

export const SLOT_FILE_NAME = 'slots.json';

export function slotFilePath(stateDir: string): string {
  return join(stateDir, SLOT_FILE_NAME);
}

export async function loadSlots(stateDir: string): Promise<SlotParse> {
  const path = slotFilePath(stateDir);
  const read = await readStateFile(path, MAX_SLOT_FILE_BYTES);
  if (read.kind === 'missing') return { slots: new Map(), reason: undefined };
  if (read.kind === 'refused') return { slots: new Map(), reason: `${read.reason}; starting with no slots` };
  const parsed = parseSlots(read.text);
  return parsed.reason === undefined ? parsed : { ...parsed, reason: `${path}: ${parsed.reason}` };
}

export async function saveSlots(stateDir: string, slots: SlotMap): Promise<void> {
  await writeStateFile(stateDir, SLOT_FILE_NAME, serializeSlots(slots), 'the slots');
}
