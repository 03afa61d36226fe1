/** SQLite statements prepared on first use, not when the database opens. */

/**
 * An object whose every property is the value of its maker, made on first read and kept. Each
 * prepared statement holds compiled SQL in SQLite and a wrapper in V8: a server idles with most of
 * them never used (admin, retention, files), so they are prepared when first needed (0.1-0.2 MiB
 * of idle RSS, ARCHITECTURE.md "Idle memory").
 */
export function lazyStatements<T extends Record<string, () => unknown>>(
  makers: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const made = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(makers) as (keyof T)[]) {
    Object.defineProperty(made, key, {
      enumerable: true,
      get() {
        const value = makers[key]!() as ReturnType<T[typeof key]>;
        Object.defineProperty(made, key, { value, enumerable: true });
        return value;
      },
      configurable: true,
    });
  }
  return made;
}
