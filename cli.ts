/**
 * The `looplet` program: `deno run -A cli.ts <command> …` from a checkout.
 *
 * @module
 */
import { runAsProgram } from "./cli/main.ts";

export { main } from "./cli/main.ts";

await runAsProgram(import.meta);
