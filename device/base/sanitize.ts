/**
 * Makes untrusted text (an EC2 Name tag, anything from a message) safe to print in a terminal cell
 * (pure). A tag is user data: it may carry ANSI sequences that recolour, move the cursor, retitle the
 * window or rewrite the clipboard (OSC 52); C0/C1 control characters; bidi overrides (U+202A-202E,
 * U+2066-2069) that reverse the rest of the row; zero-width characters; lone surrogates; 256 characters.
 *
 * - Escape sequences (CSI, OSC/DCS/SOS/PM/APC strings up to their terminator, two-byte and charset
 *   escapes, and their 8-bit C1 forms) are removed whole, so no "[31m" residue is left.
 * - Other control characters and every format character (Unicode Cf: bidi controls, zero-width
 *   joiners and spaces, BOM, tag characters) are removed; tab, CR, LF and the Unicode line and
 *   paragraph separators become a space; runs of spaces collapse.
 * - Lone surrogates become U+FFFD.
 * - fitToWidth truncates by terminal columns (wide East Asian and emoji count 2, combining marks 0)
 *   with a trailing "…", then pads, so a table column stays aligned.
 */

/** Longest input scanned; anything beyond could never be shown in a cell anyway. */
const MAX_INPUT = 4096;

const ESC = 0x1b;
const BEL = 0x07;
const C1_CSI = 0x9b;
const C1_ST = 0x9c;
/** C1 DCS, SOS, OSC, PM, APC: strings that run to a terminator. */
const C1_STRINGS = new Set([0x90, 0x98, 0x9d, 0x9e, 0x9f]);
/** After ESC: OSC ']', DCS 'P', SOS 'X', PM '^', APC '_'. */
const ESC_STRINGS = new Set([']', 'P', 'X', '^', '_']);
const SPACES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x2028, 0x2029]);
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;
const COMBINING = /\p{M}/u;
const EMOJI = /\p{Emoji_Presentation}/u;

function code(chars: readonly string[], i: number): number {
  return chars[i]?.codePointAt(0) ?? -1;
}

/** Skips CSI parameters (0x30-0x3F), intermediates (0x20-0x2F) and the final byte (0x40-0x7E). */
function skipCsi(chars: readonly string[], i: number): number {
  let j = i;
  while (code(chars, j) >= 0x30 && code(chars, j) <= 0x3f) j++;
  while (code(chars, j) >= 0x20 && code(chars, j) <= 0x2f) j++;
  if (code(chars, j) >= 0x40 && code(chars, j) <= 0x7e) j++;
  return j;
}

/** Skips a control string up to and including BEL, ESC \ or C1 ST; an unterminated one runs to the end. */
function skipString(chars: readonly string[], i: number): number {
  for (let j = i; j < chars.length; j++) {
    const c = code(chars, j);
    if (c === BEL || c === C1_ST) return j + 1;
    if (c === ESC && chars[j + 1] === '\\') return j + 2;
  }
  return chars.length;
}

/** Skips an escape sequence starting at ESC (index i). */
function skipEscape(chars: readonly string[], i: number): number {
  const next = chars[i + 1];
  if (next === undefined) return i + 1;
  if (next === '[') return skipCsi(chars, i + 2);
  if (ESC_STRINGS.has(next)) return skipString(chars, i + 2);
  let j = i + 1;
  while (code(chars, j) >= 0x20 && code(chars, j) <= 0x2f) j++; // nF: ESC ( B and friends
  return j < chars.length ? j + 1 : j;
}

/** Removes escape sequences, controls and format characters; see the file comment. */
export function sanitizeText(text: string): string {
  const chars = Array.from(text.slice(0, MAX_INPUT));
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] ?? '';
    const c = code(chars, i);
    if (c === ESC) {
      i = skipEscape(chars, i);
    } else if (c === C1_CSI) {
      i = skipCsi(chars, i + 1);
    } else if (C1_STRINGS.has(c)) {
      i = skipString(chars, i + 1);
    } else {
      if (SPACES.has(c)) out += ' ';
      else if (c >= 0xd800 && c <= 0xdfff) out += '\uFFFD';
      else if (!CONTROL_OR_FORMAT.test(ch)) out += ch;
      i++;
    }
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

/** Terminal columns one code point takes: 0 for combining marks, 2 for wide and emoji, else 1. */
export function charWidth(ch: string): number {
  if (COMBINING.test(ch)) return 0;
  if (EMOJI.test(ch)) return 2;
  const c = ch.codePointAt(0) ?? 0;
  const wide =
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x20000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

/** Exactly `width` columns: truncated with "…" when too wide, padded with spaces otherwise. */
export function fitToWidth(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text + ' '.repeat(width - displayWidth(text));
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…${' '.repeat(width - 1 - used)}`;
}

/** sanitizeText then fitToWidth: what every legend cell goes through. */
export function sanitizeCell(text: string, width: number): string {
  return fitToWidth(sanitizeText(text), width);
}
