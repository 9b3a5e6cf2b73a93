import { describe, expect, it } from 'vitest';
import { createUnicornHatHd } from '../../../../device/outputs/display/boards/unicornhathd.ts';
import { createUnicornHatMini } from '../../../../device/outputs/display/boards/unicornhatmini.ts';
import { mappedDisplay, mappingFor } from '../../../../device/outputs/display/mapped-display.ts';
import type { Frame } from '../../../../device/picture/frame.ts';
import { FakeClock } from '../../../fakes/display/fake-clock.ts';
import { FakeSpiBus } from '../../../fakes/display/fake-spi-bus.ts';

const WHITE: Frame = { width: 16, height: 16, rgb: new Uint8Array(16 * 16 * 3).fill(255) };
const MAPPING = { rotation: 0, flipX: false, flipY: false, gamma: true } as const;

async function hd(brightness: number) {
  const bus = new FakeSpiBus();
  const clock = new FakeClock();
  const board = createUnicornHatHd({ openSpi: async () => bus, clock });
  const display = mappedDisplay(board, mappingFor(board.profile, { ...MAPPING, brightness }));
  await display.open();
  clock.advance(1000);
  return { bus, clock, display };
}

describe('display brightness at run time (the settings shadow)', () => {
  it('a software-brightness board sends from the next frame what a board opened at that brightness sends', async () => {
    const changed = await hd(0.8);
    await changed.display.setBrightness(0.2);
    await changed.display.render(WHITE);
    const reference = await hd(0.2);
    await reference.display.render(WHITE);
    expect(changed.bus.last()).toEqual(reference.bus.last());
    expect(changed.bus.last()[1]).toBeLessThan(255);
  });

  it('refuses a brightness out of range and keeps the one it had', async () => {
    const { bus, display, clock } = await hd(0.2);
    await expect(display.setBrightness(1.5)).rejects.toThrow(/brightness 1.5 out of range 0-1/);
    await display.render(WHITE);
    const reference = await hd(0.2);
    await reference.display.render(WHITE);
    clock.advance(1000);
    expect(bus.last()).toEqual(reference.bus.last());
  });

  it('the Unicorn HAT Mini sets its global brightness register on both controllers, and keeps it for the next open', async () => {
    const buses = [new FakeSpiBus(), new FakeSpiBus()] as const;
    const board = createUnicornHatMini({ openSpi: async (cs) => buses[cs], brightness: 0.5 });
    const display = mappedDisplay(board, mappingFor(board.profile, { ...MAPPING, brightness: 0.5 }));
    await display.open();
    for (const bus of buses) bus.clear();
    await display.setBrightness(0.25);
    expect(buses[0].log()).toEqual(['37 0F']);
    expect(buses[1].log()).toEqual(['37 0F']);
    await display.close();
    for (const bus of buses) bus.clear();
    await display.open();
    expect(buses[0].log().at(-1)).toBe('37 0F');
  });
});
