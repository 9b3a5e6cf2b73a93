/**
 * Reads at most `maxBytes` of an HTTP body from outside: a server that answers with a video file,
 * or with no end at all, costs at most the limit plus one chunk of memory, never the whole body.
 * Used by the HLS check (shared/hls-check.ts, in the desk probes and the cloud checker Lambda) and
 * the desk probes' `match` (device/sources/probes.ts).
 *
 * The body is streamed and the reader cancelled as soon as the limit is passed, which aborts the
 * request (undici closes the connection). A `Content-Length` is not trusted either way.
 */

export type BodyRead =
  | { readonly complete: true; readonly bytes: Uint8Array }
  /** The body holds more than `maxBytes`: `bytes` is its first `maxBytes`, and no more was read. */
  | { readonly complete: false; readonly bytes: Uint8Array };

export async function readAtMost(response: Response, maxBytes: number): Promise<BodyRead> {
  const reader = response.body?.getReader();
  if (reader === undefined) return { complete: true, bytes: new Uint8Array(0) };
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        return { complete: false, bytes: concat(chunks, maxBytes) };
      }
    }
  } finally {
    reader.releaseLock();
  }
  return { complete: true, bytes: concat(chunks, total) };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= length) break;
    const part = chunk.subarray(0, length - at);
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
