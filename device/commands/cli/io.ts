/** Where a command writes: data to stdout, messages to stderr (tests: strings). */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}
