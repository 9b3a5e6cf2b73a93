/**
 * Reads the board model string the firmware puts in the device tree, e.g.
 * "Raspberry Pi 5 Model B Rev 1.0". The file ends in a NUL, which is stripped.
 */
import { readFile } from 'node:fs/promises';
import { piModelError } from './fixes.ts';

export const PI_MODEL_PATH = '/proc/device-tree/model';

/** `board` names the board that needs the model, for the error. */
export async function readPiModel(path: string = PI_MODEL_PATH, board?: string): Promise<string> {
  let raw: string;
  try {
    raw = await readFile(path, 'latin1');
  } catch (cause) {
    throw piModelError(path, cause, board);
  }
  return raw.replaceAll('\0', '').trim();
}
