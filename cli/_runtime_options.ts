/**
 * The runtime options `run` and `blueprint` pass to a bundle, and their flags.
 *
 * @module
 */
import { type OptionSpec, UsageError } from "./args.ts";
import type { LoadedBundle } from "../bundles/load_bundle.ts";
import { bundleOptions, parseBundleOptions } from "../bundles/bundle_options.ts";

/** The runtime options: the declared ones from `--option`, the coder's flags, the CLI's own. */
export function runtimeOptions(
  command: string,
  values: Record<string, unknown>,
  bundle: LoadedBundle | undefined,
  nativeTools: boolean,
): Record<string, unknown> {
  const declared = bundleOptions(bundle);
  const pairs = [...((values.option as string[] | undefined) ?? [])];
  if (values["test-command"] !== undefined) {
    if (!Object.hasOwn(declared, "test_command")) {
      throw new UsageError(
        `${
          bundle ? `bundle "${bundle.name}"` : "this agent"
        } declares no test_command option, so --test-command does nothing; drop it`,
        command,
      );
    }
    pairs.push(`test_command=${values["test-command"]}`);
  }
  let given;
  try {
    given = parseBundleOptions(pairs, declared);
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
  return {
    require_tests: !values["no-tests"],
    use_native_tools: nativeTools,
    ...given,
  };
}

/** The step budget flag, shared by `run` and `blueprint`. */
export const MAX_STEPS_FLAG: Readonly<Record<string, OptionSpec>> = {
  "max-steps": {
    type: "string",
    value: "N",
    description: "step budget",
    default: "the bundle's max-steps, else 20",
  },
};

/** The flags that set runtime options, shared by `run` and `blueprint`. */
export const RUNTIME_FLAGS: Readonly<Record<string, OptionSpec>> = {
  option: {
    type: "string",
    multiple: true,
    value: "KEY=VALUE",
    description: "a runtime option the bundle declares (see 'looplet blueprint')",
  },
  "test-command": {
    type: "string",
    value: "CMD",
    description: 'the coder\'s test command, e.g. "python3 -m pytest -q"',
    default: "deno test -A",
  },
  "no-tests": { type: "boolean", description: "let the coder finish without passing tests" },
};
