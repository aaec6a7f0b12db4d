/**
 * Entry of the single-file build (`deno task bundle`). Every command module is
 * reached through a literal `import()`, so the bundler inlines them all. Not
 * published.
 *
 * @module
 */
import { runAsProgram } from "../../cli/main.ts";

export { main } from "../../cli/main.ts";

await runAsProgram(import.meta);
