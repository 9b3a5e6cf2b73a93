/** readAtMost over Response objects: whole bodies, bodies past the limit (cut, the source cancelled), no body. */
import { describe, expect, it } from 'vitest';
import { readAtMost } from '../../shared/read-body.ts';

/** A body of `chunks` chunks of `size` bytes that records how many were pulled and whether it was cancelled. */
function source(chunks: number, size: number) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulled === chunks) return controller.close();
        seen.pulled += 1;
        controller.enqueue(new Uint8Array(size).fill(seen.pulled));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body), seen };
}

describe('readAtMost', () => {
  it('reads a body within the limit whole, the limit itself included', async () => {
    const { response } = source(4, 256);
    const read = await readAtMost(response, 1024);
    expect(read.complete).toBe(true);
    expect(read.bytes.byteLength).toBe(1024);
    expect(read.bytes[1023]).toBe(4);
  });

  it('stops one chunk past the limit, cancels the source and keeps the first limit bytes', async () => {
    const { response, seen } = source(1_000_000, 1000);
    const read = await readAtMost(response, 2500);
    expect(read).toMatchObject({ complete: false });
    expect(read.bytes.byteLength).toBe(2500);
    expect([read.bytes[0], read.bytes[1999], read.bytes[2000], read.bytes[2499]]).toEqual([1, 2, 3, 3]);
    expect(seen).toEqual({ pulled: 3, cancelled: true });
  });

  it('gives an empty, complete read for a response without a body', async () => {
    expect(await readAtMost(new Response(null, { status: 204 }), 10)).toEqual({
      complete: true,
      bytes: new Uint8Array(0),
    });
  });
});
