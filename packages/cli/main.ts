/**
 * The looplet command line, as its own package:
 *
 * ```sh
 * deno run -A jsr:@looplet/cli run ./skills/coder "Fix the tests" --workspace .
 * deno run -A jsr:@looplet/cli --help
 * ```
 *
 * A thin entry: everything lives in `@looplet/looplet/cli`.
 *
 * @module
 */
import { main, programDependencies } from "@looplet/looplet/cli";

export { main };

if (import.meta.main) Deno.exit(await main(Deno.args, programDependencies()));
