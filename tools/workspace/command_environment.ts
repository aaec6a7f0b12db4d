import { dirname } from "node:path";
import process from "node:process";

/**
 * The variables {@linkcode commandEnvironment} copies from the parent to
 * every command: where programs are (`PATH`), the locale, the time zone, the
 * terminal type, and the few names Windows needs to start a program. Nothing
 * else is copied unless named in `pass`: API keys, tokens, cloud
 * credentials, proxies (their URLs can hold passwords) stay with the parent.
 *
 * @example Check whether a variable reaches a command by default
 * ```ts
 * import { COMMAND_ENV_NAMES } from "jsr:@looplet/looplet/workspace";
 * COMMAND_ENV_NAMES.includes("PATH"); // true
 * COMMAND_ENV_NAMES.includes("OPENAI_API_KEY"); // false: name it in `pass` to hand it over
 * ```
 */
export const COMMAND_ENV_NAMES: readonly string[] = Object.freeze([
  "PATH",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "LC_MESSAGES",
  "TZ",
  "TERM",
  "SYSTEMROOT",
  "SystemRoot",
  "WINDIR",
  "COMSPEC",
  "PATHEXT",
]);

/** `PATH` when the source has none (the usual POSIX system folders). */
const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * Options of {@linkcode commandEnvironment}.
 *
 * @example A command's environment with one secret passed on purpose
 * ```ts
 * import { commandEnvironment } from "jsr:@looplet/looplet/workspace";
 * const env = commandEnvironment({
 *   home: "/tmp/looplet-home",
 *   tmp: "/tmp/looplet-tmp",
 *   pass: ["GITHUB_TOKEN"],
 *   set: { NO_COLOR: "1" },
 *   from: { PATH: "/usr/bin", GITHUB_TOKEN: "ghp_example", OPENAI_API_KEY: "sk-kept-out" },
 * });
 * ```
 */
export interface CommandEnvironmentOptions {
  /** `HOME` (and `USERPROFILE`) of the command: a scratch folder, never the user's home. */
  readonly home: string;
  /** `TMPDIR`, `TMP` and `TEMP` of the command. */
  readonly tmp: string;
  /** Names copied from `from` one by one, for example a token a tool needs. @default [] */
  readonly pass?: readonly string[];
  /** Variables set to fixed values (applied last; they win). @default {} */
  readonly set?: Readonly<Record<string, string>>;
  /** Where `PATH`, the locale and `pass` names are read. @default process.env */
  readonly from?: Readonly<Record<string, string | undefined>>;
}

/**
 * The explicit environment every command tool gets (the coder's `bash`,
 * bundle `command` tools, the test guard, cartridge subprocess tools):
 * {@linkcode COMMAND_ENV_NAMES} read from `from`, with this runtime's folder
 * first on `PATH` (so `deno`/`node` resolve; `PATH` defaults to
 * `/usr/local/bin:/usr/bin:/bin`); `HOME` and the temp folders set
 * to the given scratch folders; `LANG` defaulting to `C.UTF-8`; then the
 * `pass` names and the `set` values. Secrets never reach a command unless
 * they are named in `pass` or `set`.
 *
 * @param options Scratch folders, names to pass, fixed values, source.
 * @returns A fresh record.
 * @throws {TypeError} When `home` or `tmp` is empty, or a `pass` name is not a variable name.
 * @example Run a program with the explicit environment
 * ```ts ignore
 * import { commandEnvironment } from "jsr:@looplet/looplet/workspace";
 * import { spawn } from "node:child_process";
 * const env = commandEnvironment({ home: scratchHome, tmp: scratchTmp, pass: ["NPM_TOKEN"] });
 * spawn("npm", ["publish"], { cwd: "./project", env });
 * ```
 */
export function commandEnvironment(options: CommandEnvironmentOptions): Record<string, string> {
  const { home, tmp, pass = [], set = {}, from = process.env } = options;
  if (typeof home !== "string" || home === "" || typeof tmp !== "string" || tmp === "") {
    throw new TypeError("Cannot build command environment: 'home' and 'tmp' must be folder paths");
  }
  for (const name of pass) {
    if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new TypeError(
        `Cannot build command environment: 'pass' entry ${
          JSON.stringify(name)
        } is not a variable name; give names such as "GITHUB_TOKEN"`,
      );
    }
  }
  const env: Record<string, string> = {};
  for (const name of COMMAND_ENV_NAMES) {
    const value = from[name];
    if (typeof value === "string") env[name] = value;
  }
  const runtimeDir = dirname(process.execPath);
  const windows = process.platform === "win32";
  const path = env.PATH ?? (windows ? undefined : DEFAULT_PATH);
  env.PATH = path ? `${runtimeDir}${windows ? ";" : ":"}${path}` : runtimeDir;
  env.LANG ??= "C.UTF-8";
  env.HOME = home;
  if (process.platform === "win32") env.USERPROFILE = home;
  env.TMPDIR = tmp;
  env.TMP = tmp;
  env.TEMP = tmp;
  for (const name of pass) {
    const value = from[name];
    if (typeof value === "string") env[name] = value;
  }
  return { ...env, ...set };
}
