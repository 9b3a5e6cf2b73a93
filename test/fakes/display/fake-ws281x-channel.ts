/** A recording rpi-ws281x channel: one Uint32Array of 0x00RRGGBB words per render. */
import type { Ws281xChannel } from '../../../device/outputs/display/buses/ws281x-channel.ts';

export class FakeWs281xChannel implements Ws281xChannel {
  readonly renders: Uint32Array[] = [];
  closeCount = 0;

  async render(colors: Uint32Array): Promise<void> {
    this.renders.push(Uint32Array.from(colors));
  }

  async close(): Promise<void> {
    this.closeCount++;
  }
}
