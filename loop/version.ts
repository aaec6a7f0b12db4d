// Generated from deno.json by `deno task version:sync`; tests/version_test.ts checks it.
/** The looplet version (the "version" of deno.json). */
export const LOOPLET_VERSION = "0.1.0";
