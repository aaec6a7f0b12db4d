/**
 * One runtime option a bundle reads through `runtime.option(name, fallback)`,
 * declared by the entrypoint's `options` export so the CLI can type
 * `--option name=value`, refuse unknown names and list them in `blueprint`.
 *
 * @example Declare the options `build` reads
 * ```ts ignore
 * export const options: Record<string, BundleOptionSpec> = {
 *   test_command: { type: "string", default: "deno test -A", description: "the test command" },
 *   bash_timeout_ms: { type: "integer", default: 120000, description: "bash timeout" },
 * };
 * ```
 */
export interface BundleOptionSpec {
  /** How the text after `=` is read. */
  readonly type: "string" | "boolean" | "number" | "integer";
  /** The value used when the option is not given. */
  readonly default?: string | number | boolean;
  /** One line for `blueprint` and errors. */
  readonly description?: string;
}
