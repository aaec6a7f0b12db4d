/** The process environment read one name at a time (private to the library; the CLI uses it). */
import process from "node:process";

/**
 * `process.env` as a read-only record whose names are read one at a time, so
 * a narrow `deno run --allow-env=OPENAI_API_KEY,…` works: a name the process
 * may not read is `undefined`, and listing the names gives only those the
 * permissions let it see (none without full `--allow-env`).
 */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  const env = process.env;
  const read = (name: string): string | undefined => {
    try {
      return env[name];
    } catch {
      return undefined; // Deno without permission for this name
    }
  };
  return new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => typeof name === "string" ? read(name) : undefined,
    has: (_target, name) => typeof name === "string" && read(name) !== undefined,
    ownKeys: () => {
      try {
        return Object.keys(env);
      } catch {
        return [];
      }
    },
    getOwnPropertyDescriptor: (_target, name) => {
      const value = typeof name === "string" ? read(name) : undefined;
      return value === undefined
        ? undefined
        : { value, enumerable: true, configurable: true, writable: false };
    },
  });
}
