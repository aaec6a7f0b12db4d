import { suggestSimilar } from "../loop/suggest_similar.ts";
import { BundleError } from "./bundle_error.ts";
import type { BundleOptionSpec } from "./bundle_option_spec.ts";
import type { LoadedBundle } from "./load_bundle.ts";

/** Options every bundle may read, passed by `looplet run` itself. */
const BUILT_IN: Readonly<Record<string, BundleOptionSpec>> = {
  require_tests: {
    type: "boolean",
    default: true,
    description: "refuse done until the tests pass (false with --no-tests)",
  },
  use_native_tools: {
    type: "boolean",
    description: "the model returns native tool calls (set from the probe)",
  },
};

const TYPES = new Set(["string", "boolean", "number", "integer"]);

/**
 * The runtime options a bundle declares (its entrypoint's `options` export),
 * after the two every bundle gets (`require_tests`, `use_native_tools`).
 *
 * @param bundle The loaded bundle (`undefined`, e.g. for a cartridge: the two alone).
 * @returns The declared options by name.
 * @throws {BundleError} When the `options` export is malformed, naming the option.
 * @example
 * ```ts ignore
 * const declared = bundleOptions(await loadBundle("examples/skills/coder"));
 * console.log(Object.keys(declared)); // ["require_tests", "use_native_tools", "test_command", ...]
 * ```
 */
export function bundleOptions(
  bundle: LoadedBundle | undefined,
): Readonly<Record<string, BundleOptionSpec>> {
  const declared = bundle?.entrypoint?.options;
  if (bundle === undefined || declared === undefined) return BUILT_IN;
  const where = `${bundle.folder.displayRoot}/${bundle.folder.entrypoint?.relative ?? ""}`;
  if (typeof declared !== "object" || declared === null || Array.isArray(declared)) {
    throw new BundleError([{
      path: where,
      field: "options",
      message: "export 'options' must be an object of { type, default, description } by name",
    }]);
  }
  for (const [name, spec] of Object.entries(declared)) {
    if (typeof spec !== "object" || spec === null || !TYPES.has(spec.type)) {
      throw new BundleError([{
        path: where,
        field: `options.${name}.type`,
        message: 'must be "string", "boolean", "number" or "integer"',
      }]);
    }
  }
  return { ...BUILT_IN, ...declared };
}

function typed(name: string, text: string, spec: BundleOptionSpec): string | number | boolean {
  if (spec.type === "string") return text;
  if (spec.type === "boolean") {
    if (["true", "yes", "1", "on"].includes(text.toLowerCase())) return true;
    if (["false", "no", "0", "off"].includes(text.toLowerCase())) return false;
    throw new TypeError(`--option ${name} must be true or false, got "${text}"`);
  }
  const number = Number(text);
  if (text.trim() === "" || !Number.isFinite(number)) {
    throw new TypeError(`--option ${name} must be a number, got "${text}"`);
  }
  if (spec.type === "integer" && !Number.isInteger(number)) {
    throw new TypeError(`--option ${name} must be an integer, got "${text}"`);
  }
  return number;
}

/**
 * Read `key=value` pairs into runtime options, typed by the declared options.
 *
 * @param pairs The `--option` values as typed.
 * @param declared What the bundle declares (see `bundleOptions`).
 * @returns The options by name.
 * @throws {TypeError} On a pair without `=`, an unknown name (with a did-you-mean) or a bad value.
 * @example
 * ```ts ignore
 * parseBundleOptions(["test_command=pytest -q"], bundleOptions(bundle)); // { test_command: "pytest -q" }
 * ```
 */
export function parseBundleOptions(
  pairs: readonly string[],
  declared: Readonly<Record<string, BundleOptionSpec>>,
): Record<string, string | number | boolean> {
  const options: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) {
      throw new TypeError(`--option must look like key=value, got "${pair}"`);
    }
    const name = pair.slice(0, equals);
    const spec = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (spec === undefined) {
      const hint = suggestSimilar(name, Object.keys(declared));
      throw new TypeError(
        `unknown option "${name}"${hint ? `; did you mean "${hint}"?` : ""}; this bundle reads: ${
          Object.keys(declared).join(", ")
        }`,
      );
    }
    options[name] = typed(name, pair.slice(equals + 1), spec);
  }
  return options;
}
