/**
 * The one argument parser every command uses, and its usage error.
 *
 * @module
 */
/**
 * One option of a command, as `parseArgs` takes it.
 *
 * @example The options of a command
 * ```ts
 * import type { OptionSpec } from "./args.ts";
 * const options: Record<string, OptionSpec> = {
 *   workspace: { type: "string", short: "w" },
 *   tag: { type: "string", multiple: true },
 *   json: { type: "boolean" },
 * };
 * ```
 */
export interface OptionSpec {
  /** Value kind. */
  readonly type: "string" | "boolean";
  /** One-letter alias. */
  readonly short?: string;
  /** May be repeated. */
  readonly multiple?: boolean;
}

/**
 * A usage error: `main` prints it with the command's usage line and returns 2.
 *
 * @example
 * ```ts ignore
 * throw new UsageError("--max-steps must be a positive integer", "run");
 * ```
 */
export class UsageError extends Error {
  /** The command whose usage line to print. */
  readonly command?: string;

  /**
   * Create the error.
   *
   * @param message What is wrong with the arguments.
   * @param command The command.
   */
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    if (command !== undefined) this.command = command;
  }
}

/**
 * Parse a command's options in the manner of `node:util` `parseArgs`
 * (strict; `--flag value`, `--flag=value`, `-f value`, repeatable options,
 * `--` ends options). Written here because importing any `node:` built-in
 * costs Deno ~15 ms of start-up. Unknown flags and wrong positional counts
 * are usage errors.
 *
 * @param command The command, for messages.
 * @param args Its arguments.
 * @param options The flags it takes (`--debug` is always accepted).
 * @param positionals How many positionals, and what they are called.
 * @returns The flag values and the positionals (typed as at least `min` strings).
 * @throws {UsageError} On unknown flags, missing values or wrong counts.
 * @example
 * ```ts ignore
 * parseCommand("run", ["x", "--json"], { json: { type: "boolean" } }, { min: 1, max: 1, names: "a bundle" });
 * ```
 */
export function parseCommand<Min extends 0 | 1 | 2>(
  command: string,
  args: string[],
  options: Record<string, OptionSpec>,
  positionals: { min: Min; max: number; names: string },
): {
  values: Record<string, unknown>;
  positionals: [...{ 0: []; 1: [string]; 2: [string, string] }[Min], ...string[]];
} {
  const specs: Record<string, OptionSpec> = { ...options, debug: { type: "boolean" } };
  const shorts = new Map(
    Object.entries(specs).filter(([, spec]) => spec.short).map((
      [name, spec],
    ) => [spec.short!, name]),
  );
  const values: Record<string, unknown> = {};
  const found: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--") {
      found.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      found.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const [flag, inline] = long ? arg.slice(2).split(/=(.*)/s, 2) : [arg.slice(1), undefined];
    const name = long ? flag : shorts.get(flag);
    const spec = name === undefined ? undefined : specs[name];
    if (name === undefined || spec === undefined) {
      throw new UsageError(`unknown option '${arg.split("=")[0]}'`, command);
    }
    let value: unknown = true;
    if (spec.type === "string") {
      if (inline !== undefined) value = inline;
      else if (index + 1 < args.length) value = args[++index];
      else throw new UsageError(`option '--${name}' needs a value`, command);
    } else if (inline !== undefined) {
      throw new UsageError(`option '--${name}' does not take a value`, command);
    }
    if (spec.multiple) values[name] = [...((values[name] as unknown[]) ?? []), value];
    else values[name] = value;
  }
  const parsed = { values, positionals: found };
  const count = parsed.positionals.length;
  if (count < positionals.min) {
    throw new UsageError(`'${command}' needs ${positionals.names}`, command);
  }
  if (count > positionals.max) {
    throw new UsageError(
      `'${command}' got unexpected argument "${
        parsed.positionals[positionals.max]
      }" (quote a task with spaces)`,
      command,
    );
  }
  return {
    values: parsed.values as Record<string, unknown>,
    // Checked above: there are at least `min` of them.
    positionals: parsed.positionals as [...{ 0: []; 1: [string]; 2: [string, string] }[Min]],
  };
}

/**
 * Parse a positive integer option; a bad value is a usage error.
 *
 * @example Read `--max-steps` from parsed options
 * ```ts ignore
 * const { values } = parseCommand("run", args, { "max-steps": { type: "string" } }, { min: 0, max: 2, names: "a bundle and a task" });
 * const maxSteps = positiveInteger("run", "max-steps", values["max-steps"]); // undefined when absent
 * ```
 */
export function positiveInteger(
  command: string,
  flag: string,
  value: unknown,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError(`--${flag} must be a positive integer, got "${value}"`, command);
  }
  return number;
}

/**
 * Resolve a bundle argument: an existing path, else the name of a shipped example bundle.
 *
 * @param argument The argument as typed.
 * @returns The path to load.
 * @example
 * ```ts ignore
 * await resolveBundle("coder");
 * ```
 */
export async function resolveBundle(argument: string): Promise<string> {
  const { resolveBundleArgument } = await import("../bundles/builtin_bundle.ts");
  return await resolveBundleArgument(argument);
}
