/**
 * Lazy loading of the optional native modules (docs/reference/users.md #10): a module is imported only when the
 * board that needs it is opened, so a laptop running the terminal board never loads, or needs, one.
 * The specifier is a variable on purpose: bundlers leave it alone and TypeScript does not demand
 * type declarations the packages do not ship; each adapter states the small surface it uses.
 */
import { nativeLoadError } from './fixes.ts';

export type NativeModuleName = 'i2c-bus' | 'spi-device' | 'rpi-ws281x-native';

/** Imports a CommonJS native module and returns its `module.exports`. */
export async function loadNative<T>(name: NativeModuleName): Promise<T> {
  let namespace: { default?: unknown };
  try {
    namespace = (await import(name)) as { default?: unknown };
  } catch (cause) {
    throw nativeLoadError(name, cause);
  }
  return (namespace.default ?? namespace) as T;
}
