/** Bytes as upper-case hex pairs separated by spaces, the way docs/reference/hardware.md prints them. */
export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** n zero bytes in hex(), for golden byte strings. */
export function zeros(n: number): string {
  return new Array(n).fill('00').join(' ');
}
