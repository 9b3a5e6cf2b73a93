import { describe, expect, it } from 'vitest';
import {
  array,
  check,
  int,
  isRecord,
  literal,
  object,
  oneOf,
  optional,
  pattern,
  refine,
  secret,
  show,
  text,
} from '../../shared/schema.ts';

const point = object(
  {
    v: literal(1),
    name: text(1, 10, '1-10 characters'),
    kind: oneOf(['a', 'b'], '"a" or "b"'),
    size: int(0, 99, 'a whole number from 0 to 99'),
    tags: optional(array(pattern(/^[a-z]+$/, 'lower-case letters'), 'a list of tags', 3)),
  },
  { strict: true, what: 'a JSON object', labels: { v: 'version' } },
);
const good = { v: 1, name: 'desk', kind: 'a', size: 3 };

describe('the schema kit', () => {
  it('returns the value rebuilt with the shape keys alone, in the shape order', () => {
    const parsed = check(point, { size: 3, kind: 'a', name: 'desk', v: 1 }, 'point');
    expect(parsed).toEqual({ ok: true, value: good });
    expect(parsed.ok && Object.keys(parsed.value)).toEqual(['v', 'name', 'kind', 'size']);
  });

  it.each([
    [{ ...good, size: 100 }, 'size 100 is not a whole number from 0 to 99'],
    [{ ...good, size: 1.5 }, 'size 1.5 is not a whole number from 0 to 99'],
    [{ ...good, size: '3' }, 'size "3" is not a whole number from 0 to 99'],
    [{ ...good, kind: 'c' }, 'kind "c" is not "a" or "b"'],
    [{ ...good, v: 2 }, 'version 2 is not 1'],
    [{ ...good, name: undefined }, 'name is missing, expected 1-10 characters'],
    [{ ...good, tags: ['ok', 'NO'] }, 'tags.1 "NO" is not lower-case letters'],
    [{ ...good, tags: ['a', 'b', 'c', 'd'] }, 'tags ["a","b","c","d"] is not a list of tags'],
    [{ ...good, extra: 1 }, 'unexpected key "extra"'],
    [[good], 'point is not a JSON object'],
    [null, 'point is not a JSON object'],
  ])('explains %j: %s', (value, reason) => {
    expect(check(point, value, 'point')).toEqual({ ok: false, reason });
  });

  it('refuses a __proto__ key in a strict object, and never lets one reach the result of a loose one', () => {
    const hostile = JSON.parse('{"v":1,"name":"desk","kind":"a","size":3,"__proto__":{"polluted":true}}');
    expect(check(point, hostile, 'point')).toEqual({ ok: false, reason: 'unexpected key "__proto__"' });
    const loose = object({ name: text(1, 10, 'a name') });
    const parsed = check(
      loose,
      JSON.parse('{"name":"x","__proto__":{"polluted":true},"constructor":1}'),
      'x',
    );
    expect(parsed).toEqual({ ok: true, value: { name: 'x' } });
    expect(parsed.ok && Object.getPrototypeOf(parsed.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads own keys only: a key inherited from a prototype is missing', () => {
    const inherited = Object.create({ name: 'desk' }) as Record<string, unknown>;
    expect(check(object({ name: text(1, 10, 'a name') }), inherited, 'x')).toEqual({
      ok: false,
      reason: 'name is missing, expected a name',
    });
  });

  it('keeps a reason short however long the value', () => {
    const parsed = check(point, { ...good, name: 'x'.repeat(1_000_000) }, 'point');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toBe(`name "${'x'.repeat(56)}... is not 1-10 characters`);
  });

  it('never throws: cycles, throwing getters, BigInt and symbols give a reason', () => {
    const cycle: Record<string, unknown> = { ...good };
    cycle.size = cycle;
    expect(check(point, cycle, 'point')).toEqual({
      ok: false,
      reason: 'size object is not a whole number from 0 to 99',
    });
    const getter = Object.defineProperty({ ...good }, 'kind', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(check(point, getter, 'point')).toEqual({ ok: false, reason: 'point could not be read: boom' });
    expect(check(point, { ...good, size: 10n }, 'point')).toEqual({
      ok: false,
      reason: 'size 10 is not a whole number from 0 to 99',
    });
    expect(show(Symbol('s'))).toBe('Symbol(s)');
  });

  it('runs a refinement only on a value that passed, and gives its reason', () => {
    const even = refine(int(0, 10, 'a number'), (n, path) =>
      n % 2 === 0 ? undefined : `${path} ${n} is odd`,
    );
    expect(check(object({ n: even }), { n: 3 }, 'x')).toEqual({ ok: false, reason: 'n 3 is odd' });
    expect(check(object({ n: even }), { n: 'a' }, 'x')).toEqual({
      ok: false,
      reason: 'n "a" is not a number',
    });
    expect(check(object({ n: even }), { n: 4 }, 'x')).toEqual({ ok: true, value: { n: 4 } });
  });

  it('keeps a secret value out of the reason', () => {
    const url = secret(text(8, 100, 'an https URL', (u) => u.startsWith('https://')));
    const parsed = check(object({ url }), { url: 'http://bucket/key?X-Amz-Signature=abc' }, 'x');
    expect(parsed).toEqual({ ok: false, reason: 'url is not an https URL' });
    expect(check(object({ url }), {}, 'x')).toEqual({
      ok: false,
      reason: 'url is missing, expected an https URL',
    });
  });

  it('tells a record from null, an array and a primitive', () => {
    expect([{}, Object.create(null), [], null, 'x', 1].map(isRecord)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
