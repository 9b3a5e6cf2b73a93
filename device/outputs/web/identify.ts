/**
 * Validation of an identify request (pure): the body of `POST /api/identify` must be exactly
 * `{"x": <int>, "y": <int>}` naming a pixel of the board as it is now. Every rejection carries a
 * reason a person can act on; nothing here throws.
 */

/** One pixel of the board, in the board's logical coordinates (0,0 top left). */
export interface PixelTarget {
  readonly x: number;
  readonly y: number;
}

export type IdentifyParse =
  | { readonly ok: true; readonly target: PixelTarget }
  | { readonly ok: false; readonly reason: string };

function fail(reason: string): IdentifyParse {
  return { ok: false, reason };
}

function checkCoordinate(name: 'x' | 'y', value: unknown, size: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= size) {
    return `${name} must be an integer from 0 to ${size - 1}, got ${JSON.stringify(value) ?? 'nothing'}`;
  }
  return undefined;
}

export function parseIdentify(
  text: string,
  board: { readonly width: number; readonly height: number },
): IdentifyParse {
  const example = `send {"x": 0-${board.width - 1}, "y": 0-${board.height - 1}}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return fail(`body is not JSON (${(error as Error).message}); ${example}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail(`body must be a JSON object; ${example}`);
  }
  const extra = Object.keys(body).filter((key) => key !== 'x' && key !== 'y');
  if (extra.length > 0) return fail(`unexpected key ${JSON.stringify(extra[0])}; ${example}`);
  const { x, y } = body as { x?: unknown; y?: unknown };
  const problem = checkCoordinate('x', x, board.width) ?? checkCoordinate('y', y, board.height);
  if (problem !== undefined) return fail(`${problem} (the board is ${board.width}x${board.height})`);
  return { ok: true, target: { x: x as number, y: y as number } };
}
