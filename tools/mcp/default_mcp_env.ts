import process from "node:process";

/**
 * The environment variables {@linkcode defaultMcpEnv} copies to an MCP
 * server's process: what a program needs to find executables and its home
 * directory, to use the locale, and to reach a package registry through the
 * same proxy and certificate authorities as the parent (for servers started
 * with `npx` or `deno run npm:...`).
 *
 * @example Check whether a variable is passed on by default
 * ```ts
 * import { DEFAULT_MCP_ENV_NAMES } from "jsr:@looplet/looplet/mcp";
 * DEFAULT_MCP_ENV_NAMES.includes("HTTPS_PROXY"); // true
 * DEFAULT_MCP_ENV_NAMES.includes("OPENAI_API_KEY"); // false: secrets stay with the parent
 * ```
 */
export const DEFAULT_MCP_ENV_NAMES: readonly string[] = Object.freeze([
  // finding programs and files
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "TMPDIR",
  "TEMP",
  "TMP",
  "LANG",
  "LC_ALL",
  "TERM",
  "TZ",
  // Windows essentials
  "SYSTEMROOT",
  "SystemRoot",
  "COMSPEC",
  "PATHEXT",
  "USERPROFILE",
  "APPDATA",
  "LOCALAPPDATA",
  "PROGRAMDATA",
  // certificate authorities
  "NODE_EXTRA_CA_CERTS",
  "NODE_USE_SYSTEM_CA",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  // proxies
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  // package registries and caches
  "NPM_CONFIG_REGISTRY",
  "npm_config_registry",
  "NPM_CONFIG_CAFILE",
  "npm_config_cafile",
  "NPM_CONFIG_CACHE",
  "npm_config_cache",
  "NPM_CONFIG_USERCONFIG",
  "npm_config_userconfig",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "XDG_CONFIG_HOME",
]);

/**
 * Options of {@linkcode defaultMcpEnv}.
 *
 * @example Read from a fixed record and add one name
 * ```ts
 * import { defaultMcpEnv } from "jsr:@looplet/looplet/mcp";
 * const env = defaultMcpEnv({
 *   from: { PATH: "/usr/bin", HOME: "/home/ci", GITHUB_TOKEN: "ghp_example" },
 *   extra: ["GITHUB_TOKEN"],
 * });
 * ```
 */
export interface DefaultMcpEnvOptions {
  /**
   * Where to read the values from. A plain record, or a getter such as
   * `(name) => process.env[name]`.
   * @default `process.env` from `node:process` (names the process may not read are skipped)
   */
  readonly from?:
    | Readonly<Record<string, string | undefined>>
    | ((name: string) => string | undefined);
  /** Names to copy in addition to {@linkcode DEFAULT_MCP_ENV_NAMES}. @default [] */
  readonly extra?: readonly string[];
}

function readProcessEnv(name: string): string | undefined {
  try {
    return process.env[name];
  } catch {
    return undefined; // no --allow-env for this name: leave it out
  }
}

/**
 * The environment an MCP server's process starts from unless the caller says
 * otherwise: the variables in {@linkcode DEFAULT_MCP_ENV_NAMES} that are set
 * in this process (read through `process.env`, skipping names the permissions
 * hide), plus `extra` names. Nothing else from the parent leaks into the
 * child: API keys stay with the parent unless passed in the server's `env`.
 *
 * @param options Where to read from and extra names.
 * @returns A fresh record of the variables that are set.
 * @example Start a server with the defaults plus one more variable
 * ```ts ignore
 * import { connectMcpServer, defaultMcpEnv } from "jsr:@looplet/looplet/mcp";
 * const server = await connectMcpServer(
 *   { name: "github", command: "npx", args: ["-y", "github-mcp"] },
 *   { baseEnv: defaultMcpEnv({ extra: ["GITHUB_TOKEN"] }) },
 * );
 * ```
 */
export function defaultMcpEnv(options: DefaultMcpEnvOptions = {}): Record<string, string> {
  const { from = readProcessEnv, extra = [] } = options;
  const get = typeof from === "function" ? from : (name: string) => from[name];
  const env: Record<string, string> = {};
  for (const name of [...DEFAULT_MCP_ENV_NAMES, ...extra]) {
    const value = get(name);
    if (typeof value === "string") env[name] = value;
  }
  return env;
}
