/**
 * Whether a DescribeInstances page is one, before the AWS SDK reads it: the SDK's XML reader is
 * lenient and returns an empty page, with no error, for much that is not a DescribeInstancesResponse
 * (measured with @aws-sdk/client-ec2 3.1169 against a loopback endpoint, test/device/sources/ec2-page.test.ts):
 * - an empty body, an HTML page or any other root element, a missing `reservationSet`, a
 *   `reservationSet` whose children are not `item`: 0 reservations;
 * - text beside child elements, even ONE space without a newline (`<reservationSet> <item>`, or
 *   `&#32;`): the SDK keeps the text and drops the element's children, so 0 reservations (50 MB of
 *   spaces inserted by a proxy did exactly that);
 * - content after the root element: ignored.
 * Truncated XML and binary junk (gzip) make the SDK throw, as they should; they are refused here first.
 *
 * The check is one linear scan with no tree (at most MAX_PAGE_BYTES, in the listing process), and
 * counts the instances the page holds, so the caller can also hold the SDK's reading to that count
 * (ec2.ts). Whitespace between elements passes only with a newline in it, which is how EC2 indents its
 * answers and what the SDK skips. Imports no SDK.
 *
 * `readBounded` reads a raw response body to a limit and no further, for this page and the
 * DescribeInstanceStatus pages (scheduled-events.ts) alike.
 */

/** A page of 1,000 instances from EC2 is about 5-8 MB; this leaves room for many tags. */
export const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * Every page of one listing (one account: every region and page), together. 10,000 instances take
 * about 80 MB; an endpoint that pages on for ever is stopped here instead of at 10,000 pages.
 */
export const MAX_LISTING_BYTES = 256 * 1024 * 1024;

/** EC2's answer is about 10 elements deep; the SDK's reader recurses once per level. */
const MAX_DEPTH = 64;

export type PageCheck =
  | { readonly ok: true; readonly instances: number }
  | { readonly ok: false; readonly problem: string };

const ROOT = 'DescribeInstancesResponse';

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** What is wrong with `text` as a DescribeInstancesResponse, or how many instances it holds. */
export function checkDescribeInstancesPage(text: string): PageCheck {
  const fail = (problem: string): PageCheck => ({ ok: false, problem });
  const n = text.length;
  let i = 0;
  const skipSpace = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i += 1;
  };
  skipSpace();
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end < 0) return fail('the XML declaration is not closed');
    i = end + 2;
    skipSpace();
  }
  if (i >= n) return fail('the body is empty');
  if (text.charCodeAt(i) !== 60 /* < */) {
    return fail(`the body is not XML (it starts with ${JSON.stringify(text.slice(i, i + 16))})`);
  }

  // The open elements, innermost last, each with what the shape needs to know of its children.
  interface Open {
    readonly name: string;
    /** Path from the root, e.g. "DescribeInstancesResponse/reservationSet/item". */
    readonly path: string;
    children: number;
    /** Text seen in it that is more than whitespace with a newline. */
    text: boolean;
    requestId: number;
    reservationSet: number;
    instancesSet: number;
  }
  const stack: Open[] = [];
  let instances = 0;
  let closedRoot = false;

  const openElement = (name: string): string | undefined => {
    const parent = stack.at(-1);
    if (parent === undefined) {
      if (name !== ROOT) return `the root element is <${name}>, not <${ROOT}>`;
    } else {
      parent.children += 1;
      if (parent.text)
        return `<${parent.name}> holds text beside elements, which the SDK reads as no elements`;
      if (parent.path === ROOT) {
        if (name === 'requestId') parent.requestId += 1;
        if (name === 'reservationSet') parent.reservationSet += 1;
      }
      if (parent.name === 'reservationSet' || parent.name === 'instancesSet') {
        if (name !== 'item') return `<${parent.name}> holds <${name}>, not <item>`;
      }
      if (parent.path === `${ROOT}/reservationSet/item` && name === 'instancesSet') parent.instancesSet += 1;
    }
    if (stack.length >= MAX_DEPTH) return `elements nest deeper than ${MAX_DEPTH}`;
    const path = parent === undefined ? name : `${parent.path}/${name}`;
    if (path === `${ROOT}/reservationSet/item/instancesSet/item`) instances += 1;
    stack.push({ name, path, children: 0, text: false, requestId: 0, reservationSet: 0, instancesSet: 0 });
    return undefined;
  };

  const closeElement = (name: string): string | undefined => {
    const open = stack.pop();
    if (open === undefined || open.name !== name) {
      return `</${name}> closes ${open === undefined ? 'nothing' : `<${open.name}>`}`;
    }
    if (open.path === ROOT) {
      if (open.requestId !== 1) return `<${ROOT}> has ${open.requestId} <requestId> elements, not 1`;
      if (open.reservationSet !== 1)
        return `<${ROOT}> has ${open.reservationSet} <reservationSet> elements, not 1`;
      closedRoot = true;
    }
    if (open.path === `${ROOT}/reservationSet/item` && open.instancesSet !== 1) {
      return 'a reservation has no <instancesSet>';
    }
    return undefined;
  };

  while (i < n && !closedRoot) {
    const c = text.charCodeAt(i);
    if (c !== 60) {
      // A text run: up to the next '<'.
      let end = text.indexOf('<', i);
      if (end < 0) end = n;
      const open = stack.at(-1);
      if (open === undefined) return fail('text outside the root element');
      if (!isBlankWithNewline(text, i, end)) {
        open.text = true;
        if (open.children > 0) {
          return fail(`<${open.name}> holds text beside elements, which the SDK reads as no elements`);
        }
      }
      i = end;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return fail('a comment is not closed (the body is cut short)');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) return fail('a CDATA section is not closed (the body is cut short)');
      const open = stack.at(-1);
      if (open === undefined) return fail('text outside the root element');
      if (end > i + 9) {
        open.text = true;
        if (open.children > 0) {
          return fail(`<${open.name}> holds text beside elements, which the SDK reads as no elements`);
        }
      }
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!', i) || text.startsWith('<?', i)) {
      return fail(`unexpected markup ${JSON.stringify(text.slice(i, i + 12))}`);
    }
    const closing = text.charCodeAt(i + 1) === 47; /* / */
    let j = i + (closing ? 2 : 1);
    const nameStart = j;
    while (j < n && !isSpace(text.charCodeAt(j)) && text[j] !== '>' && text[j] !== '/') j += 1;
    const name = text.slice(nameStart, j);
    if (name === '' || name.includes('<')) return fail(`a tag without a name at character ${i}`);
    // The rest of the tag: attributes (quoted values may hold '>'), then '>' or '/>'.
    let selfClosing = false;
    for (;;) {
      if (j >= n) return fail(`<${name}> is not closed (the body is cut short)`);
      const d = text[j];
      if (d === '"' || d === "'") {
        const end = text.indexOf(d, j + 1);
        if (end < 0) return fail(`an attribute of <${name}> is not closed (the body is cut short)`);
        j = end + 1;
        continue;
      }
      if (d === '>') break;
      if (d === '/' && text[j + 1] === '>') {
        selfClosing = true;
        j += 1;
        break;
      }
      if (d === '<') return fail(`<${name}> is not closed before the next tag`);
      j += 1;
    }
    i = j + 1;
    const problem = closing
      ? closeElement(name)
      : (openElement(name) ?? (selfClosing ? closeElement(name) : undefined));
    if (problem !== undefined) return fail(problem);
  }
  if (!closedRoot) {
    const open = stack.at(-1);
    return fail(`the body ends inside <${open?.name ?? ROOT}> (cut short)`);
  }
  skipSpace();
  if (i < n) return fail(`content after </${ROOT}>: ${JSON.stringify(text.slice(i, i + 16))}`);
  return { ok: true, instances };
}

/** True when text[from, to) is whitespace with a newline in it: what EC2 indents with, what the SDK skips. */
function isBlankWithNewline(text: string, from: number, to: number): boolean {
  let newline = false;
  for (let k = from; k < to; k += 1) {
    const c = text.charCodeAt(k);
    if (!isSpace(c)) return false;
    if (c === 10 || c === 13) newline = true;
  }
  return newline;
}

/** The raw HTTP response a deserialize-step middleware sees (the SDK's HttpResponse, loosely). */
export interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

/** The body, read up to `limit` bytes; 'over' (the stream destroyed) past it. */
export async function readBounded(response: RawResponse, limit: number): Promise<Uint8Array | 'over'> {
  const body = response.body;
  const destroy = () => (body as { destroy?: () => void } | undefined)?.destroy?.();
  if (Number(response.headers?.['content-length'] ?? 0) > limit) {
    destroy();
    return 'over';
  }
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') {
    const bytes = Buffer.from(body);
    return bytes.byteLength > limit ? 'over' : bytes;
  }
  if (body instanceof Uint8Array) return body.byteLength > limit ? 'over' : body;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.byteLength;
    if (total > limit) {
      destroy();
      return 'over';
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}
