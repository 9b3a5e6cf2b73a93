import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayWidth, fitToWidth, sanitizeCell, sanitizeText } from '../../../../device/base/sanitize.ts';

const ESC = '\x1b';
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

describe('sanitizeText', () => {
  it.each([
    ['a colour change', `${ESC}[31mred${ESC}[0m`, 'red'],
    ['a CSI with private parameters', `${ESC}[?1049hx`, 'x'],
    ['a screen clear and cursor move', `${ESC}[2J${ESC}[10;10Hname`, 'name'],
    ['an OSC window title ended by BEL', `${ESC}]0;pwned\x07web`, 'web'],
    ['an OSC 52 clipboard write ended by ST', `${ESC}]52;c;ZXZpbA==${ESC}\\db`, 'db'],
    ['an OSC 8 hyperlink', `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['an unterminated OSC, up to the end', `ok${ESC}]0;rest of the tag`, 'ok'],
    ['a DCS string', `${ESC}Pq#0;2;0;0;0${ESC}\\api`, 'api'],
    ['a charset escape', `${ESC}(0lqk`, 'lqk'],
    ['a two-byte escape (full reset)', `${ESC}cweb`, 'web'],
    ['an 8-bit C1 CSI', '\u009b31mred', 'red'],
    ['an 8-bit C1 OSC', '\u009d0;pwned\u009cweb', 'web'],
    ['a lone trailing ESC', `web${ESC}`, 'web'],
  ])('removes %s whole, leaving no residue', (_, input, output) => {
    expect(sanitizeText(input)).toBe(output);
  });

  it('removes NUL, BEL, backspace, DEL and other control characters', () => {
    expect(sanitizeText('a\x00b\x07c\x08d\x7fe\u0085f')).toBe('abcdef');
  });

  it('turns tabs, newlines and Unicode line separators into single spaces', () => {
    expect(sanitizeText('web\n\tserver\r\n1\u20282')).toBe('web server 1 2');
  });

  it.each(BIDI.map((ch) => [`U+${ch.codePointAt(0)?.toString(16).toUpperCase()}`, ch]))(
    'removes the bidi control %s',
    (_, ch) => {
      expect(sanitizeText(`prod${ch}dorp`)).toBe('proddorp');
    },
  );

  it('removes zero-width characters and marks that hide or reorder text', () => {
    expect(sanitizeText('a\u200bb\u200cc\u200dd\ufeffe\u200ef\u200fg\u061ch')).toBe('abcdefgh');
  });

  it('replaces a lone surrogate with U+FFFD', () => {
    expect(sanitizeText('a\ud800b')).toBe('a\ufffdb');
  });

  it('keeps ordinary international names and emoji', () => {
    expect(sanitizeText('Ünïcødé 日本 🚀 web-1')).toBe('Ünïcødé 日本 🚀 web-1');
  });

  it('leaves no control or format character for any input', () => {
    const piece = fc.oneof(
      fc.constantFrom(ESC, '[', ']', '\\', '\x07', '\u009b', '\u009c', '\u009d', ';', 'm', '\ud800', ...BIDI),
      fc.string({ unit: 'binary', maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit: piece, maxLength: 80 }), (input) => {
        const out = sanitizeText(input);
        expect(out).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
      }),
    );
  });
});

describe('fitToWidth', () => {
  it('pads short text to the width', () => {
    expect(fitToWidth('web', 6)).toBe('web   ');
  });

  it('truncates a 256-character name to the width, ending in an ellipsis', () => {
    const out = fitToWidth('x'.repeat(256), 24);
    expect(out).toBe(`${'x'.repeat(23)}…`);
    expect(displayWidth(out)).toBe(24);
  });

  it('counts wide characters as two columns and never splits one', () => {
    expect(fitToWidth('日本語テキスト', 6)).toBe('日本… ');
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('is always exactly the width asked for', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (text, width) => {
          expect(displayWidth(fitToWidth(sanitizeText(text), width))).toBe(width);
        },
      ),
    );
  });
});

describe('sanitizeCell', () => {
  it('sanitizes then fits: a hostile 256-character name becomes a plain fixed-width cell', () => {
    const hostile = `${ESC}[2J${ESC}]0;pwned\x07\u202eevil${'A'.repeat(256)}`;
    const cell = sanitizeCell(hostile, 20);
    expect(cell).toBe(`evil${'A'.repeat(15)}…`);
    expect(cell).not.toContain(ESC);
  });
});
