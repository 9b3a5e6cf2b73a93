/** The pure request checks of the web board: Host guard, same-origin check, identify validation. */
import { describe, expect, it } from 'vitest';
import { hostnameOf, isHostAllowed, isLoopback, isSameOrigin } from '../../../../device/outputs/web/http.ts';
import { parseIdentify } from '../../../../device/outputs/web/identify.ts';

describe('Host guard', () => {
  it('knows the loopback addresses and names', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST'].map(isLoopback)).toEqual(
      Array(6).fill(true),
    );
    expect(
      ['0.0.0.0', '::', '192.168.1.20', 'raspberrypi.local', '127.0.0.1.nip.io'].map(isLoopback),
    ).toEqual(Array(5).fill(false));
  });

  it('takes the hostname out of a Host header, IPv6 in brackets included', () => {
    expect(hostnameOf('Example.com:8080')).toBe('example.com');
    expect(hostnameOf('[::1]:8080')).toBe('[::1]');
    expect(hostnameOf('localhost')).toBe('localhost');
  });

  it('accepts only loopback names, on any port, when bound to loopback', () => {
    for (const host of ['127.0.0.1:8080', '127.0.0.1', 'localhost:9000', 'LocalHost', '[::1]:8080']) {
      expect(isHostAllowed(host, '127.0.0.1'), host).toBe(true);
    }
    for (const host of [
      undefined,
      '',
      'evil.example',
      'evil.example:8080',
      '127.0.0.2:8080',
      '192.168.1.20',
    ]) {
      expect(isHostAllowed(host, '127.0.0.1'), String(host)).toBe(false);
    }
  });

  it('accepts the bound loopback address itself, IPv6 included', () => {
    expect(isHostAllowed('127.0.0.2:8080', '127.0.0.2')).toBe(true);
    expect(isHostAllowed('[::1]:8080', '::1')).toBe(true);
    expect(isHostAllowed('evil.example', '::1')).toBe(false);
  });

  it('accepts any Host when bound to a LAN address, where the board is reached by name or address', () => {
    expect(isHostAllowed('raspberrypi.local:8080', '0.0.0.0')).toBe(true);
    expect(isHostAllowed('192.168.1.20:8080', '192.168.1.20')).toBe(true);
  });

  it('accepts a POST without Origin or from the same origin, and refuses any other origin', () => {
    expect(isSameOrigin(undefined, '127.0.0.1:8080')).toBe(true);
    expect(isSameOrigin('http://127.0.0.1:8080', '127.0.0.1:8080')).toBe(true);
    expect(isSameOrigin('http://evil.example', '127.0.0.1:8080')).toBe(false);
    expect(isSameOrigin('null', '127.0.0.1:8080')).toBe(false);
    expect(isSameOrigin('http://127.0.0.1:8080', undefined)).toBe(false);
  });
});

describe('parseIdentify', () => {
  const board = { width: 16, height: 16 };

  it('accepts the corners of the board', () => {
    expect(parseIdentify('{"x":0,"y":0}', board)).toEqual({ ok: true, target: { x: 0, y: 0 } });
    expect(parseIdentify('{"y":15,"x":15}', board)).toEqual({ ok: true, target: { x: 15, y: 15 } });
  });

  it('names the bad value, the allowed range and the board size', () => {
    expect(parseIdentify('{"x":16,"y":0}', board)).toEqual({
      ok: false,
      reason: 'x must be an integer from 0 to 15, got 16 (the board is 16x16)',
    });
  });

  it('refuses null, arrays, strings and non-integers', () => {
    for (const text of ['null', '[]', '"x"', '{"x":null,"y":0}', '{"x":1e400,"y":0}', '{"x":0.5,"y":0}']) {
      expect(parseIdentify(text, board).ok, text).toBe(false);
    }
  });
});
