/**
 * The looplet command line as a library: `main(args, deps)` runs a command and
 * returns its exit code (0 ok, 1 runtime failure, 2 usage error), printing only
 * through `deps.stdout`/`deps.stderr`.
 *
 * ```sh
 * deno run -A jsr:@looplet/cli run ./skills/coder "Fix the tests" --workspace .
 * ```
 *
 * @example Run a command and capture its output
 * ```ts ignore
 * import { main } from "jsr:@looplet/looplet/cli";
 * const lines: string[] = [];
 * const code = await main(["list-bundles", "examples/skills"], { stdout: (t) => lines.push(t) });
 * ```
 *
 * @module
 */
export { main, programDependencies, VERSION } from "./main.ts";
export type {
  BackendOverrides,
  CliDependencies,
  CliIo,
  CommandFunction,
  TraceOptions,
  TraceSink,
} from "./types.ts";
