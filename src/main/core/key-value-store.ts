/** The slice of electron-store the app needs; the real store and in-memory test fakes both fit. */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** An in-memory store: the headless host and the tests use it where the app uses electron-store. */
export function createMemoryKeyValueStore(
  initial: Record<string, unknown> = {},
): KeyValueStore & { readonly data: Record<string, unknown> } {
  const data: Record<string, unknown> = structuredClone(initial);
  return {
    data,
    get: (key) => (key in data ? structuredClone(data[key]) : undefined),
    set: (key, value) => void (data[key] = structuredClone(value)),
  };
}
