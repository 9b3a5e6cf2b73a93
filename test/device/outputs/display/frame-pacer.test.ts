import { describe, expect, it } from 'vitest';
import { FramePacer } from '../../../../device/outputs/display/boards/frame-pacer.ts';
import { FakeClock } from '../../../fakes/display/fake-clock.ts';

describe('FramePacer', () => {
  it('sends the first frame at once and spaces the next by the interval', async () => {
    const clock = new FakeClock();
    const sent: [string, number][] = [];
    const pacer = new FramePacer<string>(10, clock, async (item) => {
      sent.push([item, clock.now()]);
    });
    await pacer.submit('a');
    await pacer.submit('b');
    expect(sent).toEqual([
      ['a', 0],
      ['b', 10],
    ]);
  });

  it('rejects every waiting caller with the send error, then works again', async () => {
    const clock = new FakeClock();
    let fail = true;
    const sent: string[] = [];
    const pacer = new FramePacer<string>(10, clock, async (item) => {
      if (fail) throw new Error('bus gone');
      sent.push(item);
    });
    const first = pacer.submit('a');
    const second = pacer.submit('b');
    await expect(first).rejects.toThrow('bus gone');
    await expect(second).rejects.toThrow('bus gone');
    fail = false;
    await pacer.submit('c');
    expect(sent).toEqual(['c']);
  });

  it('sends a frame submitted right after the previous drain finished', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const pacer = new FramePacer<string>(10, clock, async (item) => {
      sent.push(item);
    });
    await pacer.submit('a');
    clock.advance(3);
    await pacer.submit('b');
    expect(sent).toEqual(['a', 'b']);
    expect(clock.sleeps).toEqual([7]);
  });
});
