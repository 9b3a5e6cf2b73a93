/** A value set once: listeners added before hear it when it is set, listeners added after at once. */
export interface Latch<T> {
  readonly set: (value: T) => void;
  readonly on: (listener: (value: T) => void) => void;
}

export function createLatch<T>(): Latch<T> {
  let value: { readonly is: T } | undefined;
  const listeners: ((value: T) => void)[] = [];
  return {
    set(next) {
      if (value !== undefined) return;
      value = { is: next };
      for (const listener of listeners.splice(0)) listener(next);
    },
    on(listener) {
      if (value === undefined) listeners.push(listener);
      else listener(value.is);
    },
  };
}
