/** A terminal stream that keeps everything written to it. */
import type { TerminalOutput } from '../../../device/outputs/display/boards/terminal.ts';

export class FakeOutput implements TerminalOutput {
  readonly chunks: string[] = [];
  readonly rows: number | undefined;
  readonly columns: number | undefined;

  constructor(size: { rows?: number; columns?: number } = {}) {
    this.rows = size.rows;
    this.columns = size.columns;
  }

  write(chunk: string, callback: (error?: Error | null) => void): boolean {
    this.chunks.push(chunk);
    queueMicrotask(() => callback(null));
    return true;
  }

  text(): string {
    return this.chunks.join('');
  }

  last(): string {
    return this.chunks.at(-1) ?? '';
  }
}
