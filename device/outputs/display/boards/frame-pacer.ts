/**
 * Keeps a minimum interval between frames sent to a board, coalescing: while a frame waits for its
 * turn, a newer one replaces it, so the board always gets the latest picture and never a backlog.
 * Used by the Unicorn HAT HD, whose library sleeps 1/120 s after every frame (docs/reference/hardware.md §3, §8.9).
 *
 * `submit` resolves once this frame, or a newer one that replaced it, has been sent; it rejects with
 * the send error. The interval counts from the end of one send to the start of the next.
 */

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class FramePacer<T> {
  readonly #minIntervalMs: number;
  readonly #clock: Clock;
  readonly #send: (item: T) => Promise<void>;
  #pending: { item: T } | undefined;
  #lastSentAt: number | undefined;
  #draining: Promise<void> | undefined;

  constructor(minIntervalMs: number, clock: Clock, send: (item: T) => Promise<void>) {
    this.#minIntervalMs = minIntervalMs;
    this.#clock = clock;
    this.#send = send;
  }

  submit(item: T): Promise<void> {
    this.#pending = { item };
    this.#draining ??= this.#drain();
    return this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending !== undefined) {
        if (this.#lastSentAt !== undefined) {
          const wait = this.#lastSentAt + this.#minIntervalMs - this.#clock.now();
          if (wait > 0) await this.#clock.sleep(wait);
        }
        const { item } = this.#pending;
        this.#pending = undefined;
        await this.#send(item);
        this.#lastSentAt = this.#clock.now();
      }
    } catch (error) {
      this.#pending = undefined;
      throw error;
    } finally {
      this.#draining = undefined;
    }
  }
}
