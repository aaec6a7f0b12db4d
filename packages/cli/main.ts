/**
 * The looplet command line, as its own package:
 *
 * ```sh
 * deno install -gA -n looplet jsr:@looplet/cli
 * looplet run ./skills/coder "Fix the tests" --workspace .
 * deno run -A jsr:@looplet/cli --help
 * ```
 *
 * A thin program entry with no exports of its own: to call the CLI from code,
 * import `main` (and its `CliDependencies`) from `jsr:@looplet/looplet/cli`.
 *
 * @module
 */
import process from "node:process";
import { main, programDependencies } from "@looplet/looplet/cli";

if (import.meta.main) process.exit(await main(process.argv.slice(2), programDependencies()));
