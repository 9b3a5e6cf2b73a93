import { describe, expect, it } from 'vitest';
import { changeOf } from '../../../device/fleet/item.ts';
import { decodeMessage } from '../../../shared/message.ts';

describe('changeOf: the one conversion from wire message to change', () => {
  it('keeps every field, under the store names', () => {
    const wire =
      '{"v":1,"id":"i-0123456789abcdef0","state":"stopping","time":1764115200000,"region":"eu-west-1","account":"123456789012","event":"7bf73129-1428-4cd3-a780-95db273d1602"}';
    const decoded = decodeMessage(new TextEncoder().encode(wire));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(changeOf(decoded.message)).toEqual({
      id: 'i-0123456789abcdef0',
      state: 'stopping',
      timeMs: 1_764_115_200_000,
      region: 'eu-west-1',
      account: '123456789012',
      eventId: '7bf73129-1428-4cd3-a780-95db273d1602',
    });
  });
});
