/**
 * The one argument parser every command uses, its usage error, and the
 * help text it generates from a command's declared flags.
 *
 * @module
 */
import { suggestSimilar } from "../loop/suggest_similar.ts";
import type { CliContext } from "./types.ts";

/**
 * One flag of a command: how it parses, and what `--help` says about it.
 *
 * @example The options of a command
 * ```ts
 * import type { OptionSpec } from "./args.ts";
 * const options: Record<string, OptionSpec> = {
 *   workspace: { type: "string", short: "w", value: "DIR", description: "the folder to work in" },
 *   tag: { type: "string", multiple: true, description: "a tag (repeatable)" },
 *   json: { type: "boolean", description: "print JSON" },
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
  /** The value's placeholder in help. @default "VALUE" */
  readonly value?: string;
  /** One line for `--help`. */
  readonly description?: string;
  /** The default, as help shows it. */
  readonly default?: string;
}

/**
 * How many positionals a command takes, and what they are called in errors.
 *
 * @example A command taking one bundle folder
 * ```ts
 * import type { PositionalSpec } from "./args.ts";
 * const one: PositionalSpec = { min: 1, max: 1, names: "a bundle folder" };
 * ```
 */
export interface PositionalSpec {
  /** Fewest positionals. */
  readonly min: number;
  /** Most positionals. */
  readonly max: number;
  /** What they are, for "'x' needs ..." errors. */
  readonly names: string;
}

/**
 * What the parser returns.
 *
 * @example Read a parsed flag
 * ```ts ignore
 * const { values, positionals } = parseCommand("run", args, options, positionals);
 * const workspace = values.workspace as string | undefined;
 * ```
 */
export interface ParsedArguments {
  /** Flag values by long name (`true` for booleans, arrays for repeatable flags). */
  readonly values: Record<string, unknown>;
  /** The positionals, in order. */
  readonly positionals: readonly string[];
  /** Positional `index`, one the spec's `min` guarantees (read optional ones with `.at()`). */
  arg(index: number): string;
}

/**
 * A command of the CLI: its help, its flags, and what it does with them.
 * `cli/main.ts` lists each command module in its table; `--help` and the
 * parser read the spec, and `run` gets the parsed arguments.
 *
 * @example A `hello` command
 * ```ts ignore
 * export const command: CommandSpec = {
 *   name: "hello",
 *   usage: "[name]",
 *   summary: "Say hello.",
 *   options: { loud: { type: "boolean", description: "shout" } },
 *   positionals: { min: 0, max: 1, names: "at most one name" },
 *   run({ values, positionals }, context) {
 *     const text = `Hello, ${positionals[0] ?? "world"}!`;
 *     context.io.stdout(values.loud ? text.toUpperCase() : text);
 *     return Promise.resolve(0);
 *   },
 * };
 * ```
 */
export interface CommandSpec {
  /** The command as typed (`"eval run"` for a sub-command). */
  readonly name: string;
  /** The positionals part of the usage line, e.g. `"<bundle> <task>"`. */
  readonly usage: string;
  /** One or two sentences for `--help`. */
  readonly summary: string;
  /** The flags (`--debug` and `--help` are always accepted). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** How many positionals. */
  readonly positionals: PositionalSpec;
  /** Extra help lines after the flags. */
  readonly notes?: readonly string[];
  /** Run the command; returns the exit code. */
  run(parsed: ParsedArguments, context: CliContext): Promise<number>;
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

/** `min` strings, then any more: the positionals `parseCommand` guarantees. */
type AtLeast<Min extends number> = Min extends 2 ? readonly [string, string, ...string[]]
  : Min extends 1 ? readonly [string, ...string[]]
  : readonly string[];

const ALWAYS: Readonly<Record<string, OptionSpec>> = {
  debug: { type: "boolean", description: "print the stack of an error" },
  help: { type: "boolean", short: "h", description: "print this help" },
};

/**
 * Parse a command's options in the manner of `node:util` `parseArgs`
 * (strict; `--flag value`, `--flag=value`, `-f value`, repeatable options,
 * `--` ends options). Written here because importing any `node:` built-in
 * costs Deno ~15 ms of start-up. Unknown flags (with a did-you-mean) and
 * wrong positional counts are usage errors.
 *
 * @param command The command, for messages.
 * @param args Its arguments.
 * @param options The flags it takes (`--debug` and `--help` are always accepted).
 * @param positionals How many positionals, and what they are called.
 * @returns The flag values and the positionals.
 * @throws {UsageError} On unknown flags, missing values or wrong counts.
 * @example
 * ```ts ignore
 * parseCommand("run", ["x", "--json"], { json: { type: "boolean" } }, { min: 1, max: 1, names: "a bundle" });
 * ```
 */
export function parseCommand<Min extends number>(
  command: string,
  args: string[],
  options: Readonly<Record<string, OptionSpec>>,
  positionals: PositionalSpec & { readonly min: Min },
): ParsedArguments & { readonly positionals: AtLeast<Min> } {
  const specs: Record<string, OptionSpec> = { ...options, ...ALWAYS };
  const shorts = new Map(
    Object.entries(specs).flatMap(([name, spec]) => spec.short ? [[spec.short, name]] : []),
  );
  const values: Record<string, unknown> = {};
  const found: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
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
      const typed = arg.split("=")[0] ?? arg;
      const hint = long ? suggestSimilar(flag, Object.keys(specs)) : undefined;
      throw new UsageError(
        `unknown option '${typed}'${hint ? `; did you mean '--${hint}'?` : ""}`,
        command,
      );
    }
    let value: unknown = true;
    if (spec.type === "string") {
      if (inline !== undefined) value = inline;
      else if (index + 1 < args.length) value = args[++index] ?? "";
      else throw new UsageError(`option '--${name}' needs a value`, command);
    } else if (inline !== undefined) {
      throw new UsageError(`option '--${name}' does not take a value`, command);
    }
    if (spec.multiple) values[name] = [...((values[name] as unknown[]) ?? []), value];
    else values[name] = value;
  }
  const arg = (index: number) => {
    const value = found[index];
    if (value === undefined) {
      throw new UsageError(`'${command}' needs ${positionals.names}`, command);
    }
    return value;
  };
  // Checked below (or --help asked): there are at least `min` of them.
  const typed = found as unknown as AtLeast<Min>;
  if (values.help) return { values, positionals: typed, arg };
  if (found.length < positionals.min) {
    throw new UsageError(`'${command}' needs ${positionals.names}`, command);
  }
  if (found.length > positionals.max) {
    throw new UsageError(
      `'${command}' got unexpected argument "${found[positionals.max]}" (quote a task with spaces)`,
      command,
    );
  }
  return { values, positionals: typed, arg };
}

/**
 * The one-line usage of a command.
 *
 * @param spec The command.
 * @returns `usage: looplet <name> <positionals> [options]`.
 * @example
 * ```ts ignore
 * usageLine(runCommand); // "usage: looplet run <bundle> <task> [options]"
 * ```
 */
export function usageLine(spec: Pick<CommandSpec, "name" | "usage">): string {
  return `usage: looplet ${spec.name}${spec.usage ? ` ${spec.usage}` : ""} [options]`;
}

/**
 * The `--help` text of a command: usage, summary, and every flag with its
 * description and default.
 *
 * @param spec The command.
 * @returns The help text.
 * @example
 * ```ts ignore
 * context.io.stdout(commandHelp(spec));
 * ```
 */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, ...ALWAYS }).map(([name, option]): [
    string,
    string,
  ] => {
    const short = option.short ? `-${option.short}, ` : "    ";
    const value = option.type === "string" ? ` ${option.value ?? "VALUE"}` : "";
    const extra = [
      option.multiple ? "repeatable" : "",
      option.default !== undefined ? `default: ${option.default}` : "",
    ].filter((part) => part !== "").join("; ");
    return [
      `${short}--${name}${value}`,
      `${option.description ?? ""}${extra ? ` (${extra})` : ""}`,
    ];
  });
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  const lines = rows.map(([left, right]) =>
    left.length + 2 > width
      ? `  ${left}\n  ${" ".repeat(width)}${right}`
      : `  ${left.padEnd(width)}${right}`
  );
  return [
    usageLine(spec),
    "",
    spec.summary,
    "",
    "options:",
    ...lines,
    ...(spec.notes && spec.notes.length > 0 ? ["", ...spec.notes] : []),
  ].join("\n");
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
