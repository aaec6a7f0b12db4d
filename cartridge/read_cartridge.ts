import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  CartridgeExtendsError,
  CartridgeLanguageError,
  CartridgeManifestError,
  type CartridgeProblem,
  CartridgeReferenceError,
  CartridgeRemovedError,
  CartridgeSlotError,
  CartridgeTierError,
  CartridgeVersionError,
} from "./cartridge_error.ts";
import { CONTRACT_KEYS, HOST_KEYS, RUNTIME_KEYS } from "./_tiers.ts";
import { isResourceReference, resolveReferences } from "./_references.ts";
import { shellWords } from "./_shell_words.ts";
import { describeSingleFileTool } from "./_python_body.ts";

/** The highest `schema_version` this host loads. */
export const CARTRIDGE_SCHEMA_VERSION = 2;

const NAME = /^[A-Za-z0-9_.-]+$/;
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Built-in tools this host ships, by the name a cartridge's `builtin_tools:` uses. */
export const BUILTIN_TOOL_NAMES: readonly string[] = ["think"];

/** Built-in hooks this host ships, by the name a cartridge's `builtin_hooks:` uses. */
export const BUILTIN_HOOK_NAMES: readonly string[] = [
  "stagnation",
  "per_tool_limit",
  "threshold_compact",
  "static_briefing",
  "recovery_hint",
];

/**
 * `cartridge.json`, as read.
 *
 * @example A manifest
 * ```ts
 * import type { CartridgeManifest } from "jsr:@looplet/looplet/cartridge";
 * const manifest: CartridgeManifest = { name: "hello", schema_version: 2, description: "Greets" };
 * ```
 */
export interface CartridgeManifest {
  /** Name. */
  readonly name: string;
  /** Spec major version (2). */
  readonly schema_version: number;
  /** What the agent does. */
  readonly description?: string;
  /** Body language (`python`). */
  readonly language?: string;
  /** Opaque version. */
  readonly version?: string;
  /** Free-form metadata. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * The body of a cartridge tool.
 *
 * @example The kinds of body
 * ```ts
 * import type { CartridgeToolBody } from "jsr:@looplet/looplet/cartridge";
 * const bodies: CartridgeToolBody[] = [
 *   { kind: "python", file: "/c/tools/grep/execute.py" },
 *   { kind: "command", argv: ["node", "/c/tools/count/count.js"] },
 *   { kind: "echo" },
 * ];
 * ```
 */
export type CartridgeToolBody =
  | { readonly kind: "python"; readonly file: string }
  | { readonly kind: "command"; readonly argv: readonly string[] }
  | { readonly kind: "echo" };

/**
 * A tool a cartridge declares in `tools/`.
 *
 * @example Print a cartridge's tools
 * ```ts ignore
 * const cartridge = await readCartridge("hello.cartridge");
 * for (const tool of cartridge.tools) console.log(tool.name, tool.body.kind, tool.requires);
 * ```
 */
export interface CartridgeTool {
  /** Tool name. */
  readonly name: string;
  /** Description (from `description.md` when present). */
  readonly description: string;
  /** JSON Schema of the arguments. */
  readonly parameters: Record<string, unknown>;
  /** Resources the body needs. */
  readonly requires: readonly string[];
  /** May run alongside other concurrency-safe calls. */
  readonly concurrentSafe: boolean;
  /** Declared `free` (advisory here). */
  readonly free: boolean;
  /** Timeout in seconds. */
  readonly timeoutS?: number;
  /** Advisory render hints (`tool.yaml: render:` merged with `runtime.yaml: tool_render_hints:`). */
  readonly render?: Record<string, unknown>;
  /** `output_schema:` (validated on done sentinels). */
  readonly outputSchema?: Record<string, unknown>;
  /** The body. */
  readonly body: CartridgeToolBody;
  /** The manifest file, for messages. */
  readonly file: string;
  /** The root of the cartridge layer that provides it. */
  readonly layerRoot: string;
}

/**
 * A `kind: lep` hook of `hooks/NN_<name>/config.yaml`.
 *
 * @example Print a cartridge's LEP hooks
 * ```ts ignore
 * const cartridge = await readCartridge("guarded.cartridge");
 * for (const hook of cartridge.hooks) console.log(hook.name, hook.argv.join(" "), hook.onFailure);
 * ```
 */
export interface CartridgeLepHook {
  /** The hook folder name (`NN_<name>`). */
  readonly name: string;
  /** The server command. */
  readonly argv: readonly string[];
  /** What authority slots do when the server fails. */
  readonly onFailure: "fail_closed" | "fail_open" | "continue";
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Extra environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The fields of the view sent with each event (`view.fields`); absent: every field. */
  readonly viewFields?: readonly string[];
  /** The config file, for messages. */
  readonly file: string;
}

/**
 * An `mcp_servers:` or `state_services:` entry.
 *
 * @example An MCP server entry
 * ```ts
 * import type { CartridgeServer } from "jsr:@looplet/looplet/cartridge";
 * const server: CartridgeServer = {
 *   name: "tools",
 *   argv: ["python3", "/c/_mcp/tools_server.py"],
 *   env: {},
 *   timeoutMs: 30_000,
 * };
 * ```
 */
export interface CartridgeServer {
  /** Entry name. */
  readonly name: string;
  /** Command. */
  readonly argv: readonly string[];
  /** Extra environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Timeout in milliseconds. */
  readonly timeoutMs: number;
  /** MCP only: the tool allow-list (absent: all). */
  readonly tools?: readonly string[];
}

/**
 * A `builtin_hooks:` / `builtin_tools:` entry.
 *
 * @example A stagnation hook entry
 * ```ts
 * import type { CartridgeBuiltin } from "jsr:@looplet/looplet/cartridge";
 * const entry: CartridgeBuiltin = { name: "stagnation", options: { threshold: 6 } };
 * ```
 */
export interface CartridgeBuiltin {
  /** Built-in name. */
  readonly name: string;
  /** Its keyword options. */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * One permission rule, normalised (`- read` becomes `{ tool: read }`).
 *
 * @example A deny rule
 * ```ts
 * import type { CartridgePermissionRule } from "jsr:@looplet/looplet/cartridge";
 * const rule: CartridgePermissionRule = {
 *   tool: "bash", decision: "deny", reason: "destructive", contains: { command: "rm -rf" },
 * };
 * ```
 */
export interface CartridgePermissionRule {
  /** Tool name. */
  readonly tool: string;
  /** Decision. */
  readonly decision: "allow" | "deny" | "ask";
  /** Reason (`""` when none). */
  readonly reason: string;
  /** Substring match against named arguments. */
  readonly contains?: Readonly<Record<string, string>>;
  /** Equality match against named arguments. */
  readonly matches?: Readonly<Record<string, unknown>>;
}

/**
 * `permissions:`, normalised: rules in deny, ask, allow order.
 *
 * @example Permissions that deny one tool
 * ```ts
 * import type { CartridgePermissions } from "jsr:@looplet/looplet/cartridge";
 * const permissions: CartridgePermissions = {
 *   default: "allow",
 *   rules: [{ tool: "bash", decision: "deny", reason: "no shell" }],
 * };
 * ```
 */
export interface CartridgePermissions {
  /** Decision when no rule matches. */
  readonly default: "allow" | "deny" | "ask";
  /** Rules: every deny rule, then ask, then allow (the first match wins). */
  readonly rules: readonly CartridgePermissionRule[];
}

/**
 * A memory source.
 *
 * @example A markdown memory file
 * ```ts
 * import type { CartridgeMemory } from "jsr:@looplet/looplet/cartridge";
 * const memory: CartridgeMemory = { name: "long_term.md", file: "/c/memory/long_term.md", kind: "markdown" };
 * ```
 */
export interface CartridgeMemory {
  /** File name. */
  readonly name: string;
  /** Absolute path. */
  readonly file: string;
  /** Markdown text, or a Python module with `load(state)`. */
  readonly kind: "markdown" | "python";
}

/**
 * A cartridge as read and validated from disk: nothing spawned, nothing imported.
 *
 * @example Read a cartridge and print what it declares
 * ```ts ignore
 * const cartridge = await readCartridge("hello.cartridge");
 * console.log(cartridge.manifest.name, cartridge.maxSteps, cartridge.tools.map((t) => t.name));
 * for (const warning of cartridge.warnings) console.warn(warning);
 * ```
 */
export interface CartridgeDefinition {
  /** The folder as given, for messages. */
  readonly displayRoot: string;
  /** Its absolute real path. */
  readonly root: string;
  /** The manifest. */
  readonly manifest: CartridgeManifest;
  /** The `extends:` chain, ancestors first, this cartridge last (absolute paths). */
  readonly chain: readonly string[];
  /** `config.yaml` of the whole chain, merged, references resolved. */
  readonly config: Readonly<Record<string, unknown>>;
  /** `runtime.yaml` of the whole chain, merged, references resolved. */
  readonly runtimeConfig: Readonly<Record<string, unknown>>;
  /** `prompts/system.md`, when present. */
  readonly systemPrompt?: string;
  /** Step budget (`max_steps`, default 15). */
  readonly maxSteps: number;
  /** The done sentinel. */
  readonly doneTool: string;
  /** Output token limit (`model.max_tokens`, else runtime `max_tokens`). */
  readonly maxTokens?: number;
  /** Temperature (`model.temperature`, else runtime `temperature`). */
  readonly temperature?: number;
  /** The `model:` block. */
  readonly model?: Readonly<Record<string, unknown>>;
  /** The permissions, when declared. */
  readonly permissions?: CartridgePermissions;
  /** The done tool's `output_schema:`, when declared. */
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  /** Tools, by folder name. */
  readonly tools: readonly CartridgeTool[];
  /** LEP hooks, in folder order. */
  readonly hooks: readonly CartridgeLepHook[];
  /** Built-in tools. */
  readonly builtinTools: readonly CartridgeBuiltin[];
  /** Built-in hooks. */
  readonly builtinHooks: readonly CartridgeBuiltin[];
  /** MCP servers. */
  readonly mcpServers: readonly CartridgeServer[];
  /** State services (SSP). */
  readonly stateServices: readonly CartridgeServer[];
  /** `resources/<name>.py` modules, by name: absolute path. */
  readonly resources: ReadonlyMap<string, string>;
  /** Memory sources, in order. */
  readonly memory: readonly CartridgeMemory[];
  /** Upper bound of memory tokens (`memory.max_tokens`). */
  readonly memoryMaxTokens?: number;
  /** Non-fatal findings. */
  readonly warnings: readonly string[];
}

/**
 * Options of `readCartridge`.
 *
 * @example Pass runtime values for `${runtime.x}` references
 * ```ts ignore
 * const cartridge = await readCartridge("hello.cartridge", { runtime: { max_steps: 8 } });
 * ```
 */
export interface ReadCartridgeOptions {
  /**
   * Values for `${runtime.field}` references. `python_executable`
   * (default `python3`), `cartridge_root` (the folder of the file being read)
   * and `workspace` are always set.
   * @default {}
   */
  readonly runtime?: Readonly<Record<string, unknown>>;
  /** The workspace folder, for `${runtime.workspace}`. @default "." */
  readonly workspace?: string;
}

interface Layer {
  readonly root: string;
  readonly display: string;
  readonly manifest: CartridgeManifest;
  readonly config: Record<string, unknown>;
  readonly runtime: Record<string, unknown>;
}

function slot(problem: CartridgeProblem): never {
  throw new CartridgeSlotError(problem);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function exists(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? "dir" : info.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

async function list(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .map((entry) => ({ name: entry.name, dir: entry.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

async function readYamlMapping(file: string, display: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return {};
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    slot({
      file: display,
      message: `is not valid YAML (${String((error as Error).message).split("\n")[0]})`,
      fix: "fix the YAML syntax",
    });
  }
  if (value === null || value === undefined) return {};
  if (!isMapping(value)) {
    slot({
      file: display,
      message: "must be a YAML mapping of keys to values",
      fix: "write `key: value` lines",
    });
  }
  return value;
}

async function readManifest(root: string, display: string): Promise<CartridgeManifest> {
  let file = "cartridge.json";
  if (await exists(join(root, file)) !== "file") file = "workspace.json";
  if (await exists(join(root, file)) !== "file") {
    throw new CartridgeManifestError({
      file: display,
      message: "has no cartridge.json",
      fix: 'add cartridge.json with {"name": "<name>", "schema_version": 2}',
    });
  }
  const where = `${display}/${file}`;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(root, file), "utf8"));
  } catch (error) {
    throw new CartridgeManifestError({
      file: where,
      message: `is not valid JSON (${(error as Error).message})`,
      fix: "fix the JSON syntax",
    });
  }
  if (!isMapping(value)) {
    throw new CartridgeManifestError({
      file: where,
      message: "must be a JSON object",
      fix: 'write {"name": "<name>", "schema_version": 2}',
    });
  }
  if (typeof value.name !== "string" || !NAME.test(value.name)) {
    throw new CartridgeManifestError({
      file: where,
      field: "name",
      message: `must be a name of letters, digits, '_', '.' or '-', got ${
        JSON.stringify(value.name)
      }`,
      fix: 'set "name" to the agent\'s name',
    });
  }
  const version = value.schema_version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new CartridgeManifestError({
      file: where,
      field: "schema_version",
      message: `must be an integer, got ${JSON.stringify(version)}`,
      fix: 'set "schema_version": 2',
    });
  }
  if (version > CARTRIDGE_SCHEMA_VERSION) {
    throw new CartridgeVersionError({
      file: where,
      field: "schema_version",
      message: `is ${version}, newer than this host supports (${CARTRIDGE_SCHEMA_VERSION})`,
      fix: "upgrade looplet, or use a cartridge written for spec v2",
    });
  }
  if (version < 2) {
    throw new CartridgeVersionError({
      file: where,
      field: "schema_version",
      message: `is ${version}; this host loads spec v2 cartridges only, as the Python looplet does`,
      fix:
        'run `looplet migrate <cartridge>` with the Python looplet, or set "schema_version": 2 after moving runtime keys to runtime.yaml',
    });
  }
  const language = value.language;
  if (language !== undefined && language !== "" && language !== "python") {
    throw new CartridgeLanguageError({
      file: where,
      field: "language",
      message: `is ${JSON.stringify(language)}; this host runs python bodies (under python3) only`,
      fix:
        'use a runtime for that language, move the bodies behind MCP/LEP servers, or set "language": "python"',
    });
  }
  for (const key of ["description", "version"] as const) {
    if (value[key] !== undefined && typeof value[key] !== "string") {
      throw new CartridgeManifestError({
        file: where,
        field: key,
        message: `must be a string, got ${JSON.stringify(value[key])}`,
        fix: `write "${key}" as a string`,
      });
    }
  }
  return value as unknown as CartridgeManifest;
}

function checkTiers(
  layer: { display: string },
  config: Record<string, unknown>,
  runtime: Record<string, unknown>,
  warnings: string[],
): void {
  for (const key of Object.keys(config)) {
    if (RUNTIME_KEYS.has(key)) {
      throw new CartridgeTierError({
        file: `${layer.display}/config.yaml`,
        field: key,
        message: "is a RUNTIME-tier key, which spec v2 forbids in config.yaml",
        fix: "move it to runtime.yaml",
      });
    }
    if (key === "done_tools") {
      throw new CartridgeRemovedError({
        file: `${layer.display}/config.yaml`,
        field: "done_tools",
        message: "plural sentinels are removed in spec v2",
        fix: "declare one done_tool whose output_schema carries an `outcome:` enum",
      });
    }
    if (HOST_KEYS.has(key)) {
      throw new CartridgeTierError({
        file: `${layer.display}/config.yaml`,
        field: key,
        message: "is a HOST-tier callable and is never serialised",
        fix: "remove it; the host supplies it",
      });
    }
    if (!CONTRACT_KEYS.has(key)) {
      warnings.push(`${layer.display}/config.yaml: ${key}: unknown key, ignored by this host`);
    }
  }
  for (const key of Object.keys(runtime)) {
    if (!RUNTIME_KEYS.has(key) && !HOST_KEYS.has(key)) {
      throw new CartridgeTierError({
        file: `${layer.display}/runtime.yaml`,
        field: key,
        message: CONTRACT_KEYS.has(key)
          ? "is a CONTRACT-tier key, which belongs in config.yaml"
          : "is not a RUNTIME-tier key",
        fix: CONTRACT_KEYS.has(key)
          ? "move it to config.yaml"
          : `remove it; runtime.yaml takes ${[...RUNTIME_KEYS].slice(0, 6).join(", ")}, ...`,
      });
    }
  }
}

async function readLayers(
  given: string,
  display: string,
  seen: string[],
): Promise<
  {
    root: string;
    display: string;
    manifest: CartridgeManifest;
    rawConfig: Record<string, unknown>;
    rawRuntime: Record<string, unknown>;
  }[]
> {
  const kind = await exists(given);
  if (kind === undefined) {
    throw new CartridgeManifestError({
      file: display,
      message: "does not exist",
      fix: "pass the path of a cartridge folder",
    });
  }
  if (kind === "file") {
    throw new CartridgeManifestError({
      file: display,
      message: "is a file, not a cartridge folder",
      fix: "pass the folder that holds cartridge.json",
    });
  }
  const root = await realpath(given);
  const manifest = await readManifest(root, display);
  if (await exists(join(root, "setup.py"))) {
    throw new CartridgeRemovedError({
      file: `${display}/setup.py`,
      message: "the setup.py escape hatch is removed in spec v2",
      fix:
        "express the wiring with resources/, builtin_hooks: and ${ref:...} references, then delete setup.py",
    });
  }
  const rawConfig = await readYamlMapping(join(root, "config.yaml"), `${display}/config.yaml`);
  const rawRuntime = await readYamlMapping(join(root, "runtime.yaml"), `${display}/runtime.yaml`);
  const here = { root, display, manifest, rawConfig, rawRuntime };
  const parent = rawConfig.extends;
  if (parent === undefined || parent === null) return [here];
  if (typeof parent !== "string" || parent.trim() === "") {
    throw new CartridgeExtendsError({
      file: `${display}/config.yaml`,
      field: "extends",
      message: Array.isArray(parent)
        ? "lists several parents; multi-extends is not part of the spec"
        : `must be the path of one parent cartridge, got ${JSON.stringify(parent)}`,
      fix: "name one parent (chain single parents, or compose with builtin_hooks: and resources/)",
    });
  }
  const parentPath = isAbsolute(parent) ? parent : join(root, parent);
  const parentDisplay = isAbsolute(parent) ? parent : join(display, parent);
  if (await exists(parentPath) !== "dir") {
    throw new CartridgeExtendsError({
      file: `${display}/config.yaml`,
      field: "extends",
      message: `names "${parent}", which is not a folder`,
      fix: "fix the path (it is relative to the cartridge folder)",
    });
  }
  const parentRoot = await realpath(parentPath);
  if (parentRoot === root || seen.includes(parentRoot)) {
    throw new CartridgeExtendsError({
      file: `${display}/config.yaml`,
      field: "extends",
      message: `makes a cycle through "${parent}"`,
      fix: "remove the extends: that points back down the chain",
    });
  }
  const ancestors = await readLayers(parentPath, parentDisplay, [...seen, root]);
  return [...ancestors, here];
}

/** Mappings merge recursively; scalars and lists are replaced wholesale. */
function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isMapping(value) && isMapping(out[key]) && !isResourceReference(value)
      ? merge(out[key] as Record<string, unknown>, value)
      : value;
  }
  return out;
}

function toArgv(value: unknown, file: string, field: string): string[] {
  let argv: string[] | undefined;
  if (typeof value === "string") argv = shellWords(value);
  else if (Array.isArray(value) && value.every((part) => typeof part === "string")) {
    argv = [...value];
  }
  if (argv === undefined || argv.length === 0 || argv[0] === "") {
    slot({
      file,
      field,
      message: `must be a command line or a list of words, got ${JSON.stringify(value)}`,
      fix: 'write e.g. command: "python3 server.py" (quote paths that contain spaces)',
    });
  }
  return argv;
}

function stringMap(value: unknown, file: string, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    slot({
      file,
      field,
      message: "must be a mapping of names to strings",
      fix: "write `NAME: value` lines",
    });
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === "object" && item !== null) {
      slot({ file, field: `${field}.${key}`, message: "must be a string", fix: "quote the value" });
    }
    out[key] = String(item);
  }
  return out;
}

function seconds(value: unknown, file: string, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback * 1000;
  if (typeof value !== "number" || !(value > 0)) {
    slot({
      file,
      field,
      message: `must be a positive number of seconds, got ${JSON.stringify(value)}`,
      fix: "write e.g. 30",
    });
  }
  return value * 1000;
}

function servers(value: unknown, file: string, field: string, mcp: boolean): CartridgeServer[] {
  if (value === undefined || value === null) return [];
  if (!isMapping(value)) {
    slot({
      file,
      field,
      message: "must be a mapping of server names to { command: ... }",
      fix: `write ${field}:\\n  name:\\n    command: "..."`,
    });
  }
  return Object.entries(value).map(([name, entry]) => {
    const where = `${field}.${name}`;
    if (!TOOL_NAME.test(name)) {
      slot({
        file,
        field: where,
        message: "must be a name of letters, digits, '_' or '-'",
        fix: "rename the entry",
      });
    }
    if (!isMapping(entry)) {
      slot({
        file,
        field: where,
        message: "must be a mapping with a command",
        fix: 'write command: "..."',
      });
    }
    const known = mcp ? ["command", "env", "timeout_s", "tools"] : ["command", "env", "timeout_s"];
    for (const key of Object.keys(entry)) {
      if (!known.includes(key)) {
        slot({
          file,
          field: `${where}.${key}`,
          message: "is not a known key",
          fix: `use ${known.join(", ")}`,
        });
      }
    }
    const tools = entry.tools;
    if (
      tools !== undefined &&
      (!Array.isArray(tools) || !tools.every((item) => typeof item === "string"))
    ) {
      slot({
        file,
        field: `${where}.tools`,
        message: "must be a list of tool names",
        fix: "write tools: [a, b]",
      });
    }
    return {
      name,
      argv: toArgv(entry.command, file, `${where}.command`),
      env: stringMap(entry.env, file, `${where}.env`),
      timeoutMs: seconds(entry.timeout_s, file, `${where}.timeout_s`, mcp ? 30 : 10),
      ...(tools !== undefined ? { tools: tools as string[] } : {}),
    };
  });
}

function builtins(
  value: unknown,
  file: string,
  field: string,
  known: readonly string[],
): CartridgeBuiltin[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    slot({
      file,
      field,
      message: "must be a list",
      fix: `write ${field}: [name, other: { option: value }]`,
    });
  }
  return value.map((entry, index) => {
    let name: string;
    let options: Record<string, unknown> = {};
    if (typeof entry === "string") name = entry;
    else if (isMapping(entry) && Object.keys(entry).length === 1) {
      name = Object.keys(entry)[0] ?? "";
      const raw = entry[name];
      if (raw !== null && raw !== undefined && !isMapping(raw)) {
        slot({
          file,
          field: `${field}[${index}].${name}`,
          message: "options must be a mapping",
          fix: `write - ${name}: { option: value }`,
        });
      }
      options = (raw ?? {}) as Record<string, unknown>;
    } else {
      slot({
        file,
        field: `${field}[${index}]`,
        message: "must be a name or a single-key mapping name: { options }",
        fix: "write - name or - name: { ... }",
      });
    }
    if (!known.includes(name)) {
      slot({
        file,
        field: `${field}[${index}]`,
        message: `names "${name}", which this host does not ship`,
        fix: `use one of ${known.join(", ")}, or move the behaviour behind an LEP hook or MCP tool`,
      });
    }
    return { name, options };
  });
}

const DECISIONS = ["allow", "deny", "ask"] as const;

function permissions(value: unknown, file: string): CartridgePermissions | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) {
    slot({
      file,
      field: "permissions",
      message: "must be a mapping with default, deny, ask, allow",
      fix: "write permissions:\\n  default: allow",
    });
  }
  for (const key of Object.keys(value)) {
    if (!["default", ...DECISIONS].includes(key)) {
      slot({
        file,
        field: `permissions.${key}`,
        message: "is not a known key",
        fix: "use default, allow, deny or ask",
      });
    }
  }
  const fallback = value.default ?? "allow";
  if (!DECISIONS.includes(fallback as never)) {
    slot({
      file,
      field: "permissions.default",
      message: `must be allow, deny or ask, got ${JSON.stringify(fallback)}`,
      fix: "write default: allow",
    });
  }
  const rules: CartridgePermissionRule[] = [];
  for (const decision of ["deny", "ask", "allow"] as const) {
    const entries = value[decision] ?? [];
    if (!Array.isArray(entries)) {
      slot({
        file,
        field: `permissions.${decision}`,
        message: "must be a list of rules",
        fix: `write ${decision}: [tool_name]`,
      });
    }
    entries.forEach((entry, index) => {
      const where = `permissions.${decision}[${index}]`;
      if (typeof entry === "string") {
        rules.push({ tool: entry, decision, reason: "" });
        return;
      }
      if (!isMapping(entry) || typeof entry.tool !== "string") {
        slot({
          file,
          field: where,
          message: "must be a tool name or a mapping with 'tool'",
          fix: "write - tool: bash",
        });
      }
      for (const key of Object.keys(entry)) {
        if (!["tool", "reason", "contains", "matches"].includes(key)) {
          slot({
            file,
            field: `${where}.${key}`,
            message: "is not a known key",
            fix: "use tool, reason, contains or matches",
          });
        }
      }
      if (entry.reason !== undefined && typeof entry.reason !== "string") {
        slot({
          file,
          field: `${where}.reason`,
          message: "must be a string",
          fix: "quote the reason",
        });
      }
      for (const key of ["contains", "matches"] as const) {
        if (entry[key] !== undefined && !isMapping(entry[key])) {
          slot({
            file,
            field: `${where}.${key}`,
            message: "must be a mapping of argument names to values",
            fix: `write ${key}: { command: "rm -rf" }`,
          });
        }
      }
      rules.push({
        tool: entry.tool,
        decision,
        reason: (entry.reason as string | undefined) ?? "",
        ...(entry.contains !== undefined
          ? { contains: stringMap(entry.contains, file, `${where}.contains`) }
          : {}),
        ...(entry.matches !== undefined
          ? { matches: entry.matches as Record<string, unknown> }
          : {}),
      });
    });
  }
  return { default: fallback as CartridgePermissions["default"], rules };
}

const MODEL_KEYS = [
  "provider",
  "name",
  "reasoning_effort",
  "max_tokens",
  "temperature",
  "top_p",
  "extra",
];

function model(value: unknown, file: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) {
    slot({
      file,
      field: "model",
      message: "must be a mapping",
      fix: "write model:\\n  provider: openai\\n  name: <model>",
    });
  }
  for (const key of Object.keys(value)) {
    if (!MODEL_KEYS.includes(key)) {
      slot({
        file,
        field: `model.${key}`,
        message: "is not a model-block key",
        fix: `use ${MODEL_KEYS.join(", ")} (provider extras go under extra:)`,
      });
    }
  }
  const check = (key: string, ok: (v: unknown) => boolean, fix: string) => {
    if (value[key] !== undefined && !ok(value[key])) {
      slot({ file, field: `model.${key}`, message: `is ${JSON.stringify(value[key])}`, fix });
    }
  };
  check("provider", (v) => typeof v === "string", "write a provider name such as openai");
  check("name", (v) => typeof v === "string", "write the model id as a string");
  check(
    "reasoning_effort",
    (v) => ["minimal", "low", "medium", "high", "xhigh"].includes(v as string),
    "use minimal, low, medium, high or xhigh",
  );
  check("max_tokens", (v) => Number.isInteger(v) && (v as number) >= 1, "use a positive integer");
  check(
    "temperature",
    (v) => typeof v === "number" && v >= 0 && v <= 2,
    "use a number from 0 to 2",
  );
  check("top_p", (v) => typeof v === "number" && v >= 0 && v <= 1, "use a number from 0 to 1");
  check("extra", isMapping, "use a mapping");
  return value;
}

/** Normalise `parameters:` (JSON Schema, or a mapping of name to schema or description). */
function parametersSchema(value: unknown, file: string): Record<string, unknown> {
  if (value === undefined || value === null) return { type: "object", properties: {} };
  if (!isMapping(value)) {
    slot({
      file,
      field: "parameters",
      message: "must be a mapping of argument names to schemas",
      fix: "write parameters:\\n  path: { type: string }",
    });
  }
  if (value.type === "object" && isMapping(value.properties)) return value;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(value)) {
    if (typeof spec === "string") {
      const optional = /^\s*\(optional\)/i.test(spec);
      properties[name] = { type: "string", description: spec };
      if (!optional) required.push(name);
    } else if (isMapping(spec)) {
      const { required: req, optional, ...schema } = spec;
      properties[name] = schema;
      if (!(optional === true || req === false || "default" in schema)) required.push(name);
    } else {
      slot({
        file,
        field: `parameters.${name}`,
        message: "must be a schema mapping or a description string",
        fix: `write ${name}: { type: string }`,
      });
    }
  }
  return { type: "object", properties, required };
}

async function readTool(
  entry: { name: string; dir: boolean; layer: Layer },
  doneTool: string,
  renderHints: Record<string, unknown>,
  hostRuntime: Record<string, unknown>,
  resourceNames: ReadonlySet<string>,
): Promise<CartridgeTool> {
  const pythonExecutable = String(hostRuntime.python_executable);
  const { layer } = entry;
  if (!entry.dir) {
    const file = join(layer.root, "tools", entry.name);
    const display = `${layer.display}/tools/${entry.name}`;
    const described = await describeSingleFileTool(file, display, pythonExecutable);
    for (const key of ["__requires__", "__render__", "__tags__"]) {
      if (described[key] !== undefined && described[key] !== null) {
        throw new CartridgeRemovedError({
          file: display,
          field: key,
          message: "is removed from single-file tools in spec v2",
          fix:
            "use the multi-file form tools/<name>/{tool.yaml, execute.py} (render hints go in runtime.yaml: tool_render_hints:)",
        });
      }
    }
    const name = typeof described.__name__ === "string" && described.__name__ !== ""
      ? described.__name__
      : basename(entry.name, ".py");
    const description = typeof described.__description__ === "string"
      ? described.__description__
      : "";
    if (description.trim() === "") {
      slot({
        file: display,
        field: "__description__",
        message: "is missing",
        fix: 'set __description__ = "..."',
      });
    }
    return {
      name,
      description,
      parameters: parametersSchema(described.__parameters__, display),
      requires: [],
      concurrentSafe: described.__concurrent_safe__ === true,
      free: described.__free__ === true,
      ...(typeof described.__timeout_s__ === "number" ? { timeoutS: described.__timeout_s__ } : {}),
      ...(renderHints[name] !== undefined
        ? { render: renderHints[name] as Record<string, unknown> }
        : {}),
      body: { kind: "python", file },
      file: display,
      layerRoot: layer.root,
    };
  }
  const dir = join(layer.root, "tools", entry.name);
  const display = `${layer.display}/tools/${entry.name}/tool.yaml`;
  if (await exists(join(dir, "tool.yaml")) !== "file") {
    slot({
      file: `${layer.display}/tools/${entry.name}`,
      message: "has no tool.yaml",
      fix: "add tool.yaml with name, description and parameters",
    });
  }
  const manifest = await readYamlMapping(join(dir, "tool.yaml"), display);
  if (manifest.tags !== undefined) {
    throw new CartridgeRemovedError({
      file: display,
      field: "tags",
      message: "tool tags are removed in spec v2",
      fix:
        "list the tools in the consuming hook's config (e.g. kwargs.enrichment_tools: [...]) and delete tags:",
    });
  }
  const name = manifest.name;
  if (typeof name !== "string" || !TOOL_NAME.test(name)) {
    slot({
      file: display,
      field: "name",
      message: `must be 1-64 letters, digits, '_' or '-', got ${JSON.stringify(name)}`,
      fix: `write name: ${entry.name}`,
    });
  }
  let description = typeof manifest.description === "string" ? manifest.description : "";
  if (await exists(join(dir, "description.md")) === "file") {
    description = (await readFile(join(dir, "description.md"), "utf8")).trim();
  }
  if (description.trim() === "") {
    slot({
      file: display,
      field: "description",
      message: "is missing",
      fix: "describe what the tool does, for the model (or add description.md)",
    });
  }
  const requires = manifest.requires ?? [];
  if (!Array.isArray(requires) || !requires.every((item) => typeof item === "string")) {
    slot({
      file: display,
      field: "requires",
      message: "must be a list of resource names",
      fix: "write requires: [name]",
    });
  }
  for (const key of ["concurrent_safe", "free"] as const) {
    if (manifest[key] !== undefined && typeof manifest[key] !== "boolean") {
      slot({
        file: display,
        field: key,
        message: "must be true or false",
        fix: `write ${key}: false`,
      });
    }
  }
  const timeout = manifest.timeout_s;
  if (
    timeout !== undefined && timeout !== null && (typeof timeout !== "number" || !(timeout > 0))
  ) {
    slot({
      file: display,
      field: "timeout_s",
      message: `must be a positive number, got ${JSON.stringify(timeout)}`,
      fix: "write timeout_s: 30",
    });
  }
  for (const key of ["render", "output_schema"] as const) {
    if (manifest[key] !== undefined && !isMapping(manifest[key])) {
      slot({
        file: display,
        field: key,
        message: "must be a mapping",
        fix: `write ${key}: { ... }`,
      });
    }
  }
  let body: CartridgeToolBody;
  if (manifest.command !== undefined) {
    const command = resolveReferences(manifest.command, {
      file: display,
      runtime: { ...hostRuntime, cartridge_root: layer.root, tool_dir: dir },
      resources: resourceNames,
    }, "command");
    body = { kind: "command", argv: toArgv(command, display, "command") };
  } else if (await exists(join(dir, "execute.py")) === "file") {
    body = { kind: "python", file: join(dir, "execute.py") };
  } else if (name === doneTool) {
    body = { kind: "echo" };
  } else {
    slot({
      file: `${layer.display}/tools/${entry.name}`,
      message: "has no execute.py and no command:",
      fix: "add execute.py with def execute(ctx, **args), or command: [...] reading JSON on stdin",
    });
  }
  const render = isMapping(manifest.render) || isMapping(renderHints[name])
    ? {
      ...(manifest.render as Record<string, unknown> ?? {}),
      ...(renderHints[name] as Record<string, unknown> ?? {}),
    }
    : undefined;
  return {
    name,
    description,
    parameters: parametersSchema(manifest.parameters, display),
    requires: requires as string[],
    concurrentSafe: manifest.concurrent_safe === true,
    free: manifest.free === true,
    ...(typeof timeout === "number" ? { timeoutS: timeout } : {}),
    ...(render ? { render } : {}),
    ...(isMapping(manifest.output_schema) ? { outputSchema: manifest.output_schema } : {}),
    body,
    file: display,
    layerRoot: layer.root,
  };
}

async function readHook(
  entry: { name: string; layer: Layer },
  runtimeValues: Record<string, unknown>,
  resourceNames: ReadonlySet<string>,
): Promise<CartridgeLepHook | undefined> {
  const { layer, name } = entry;
  const dir = join(layer.root, "hooks", name);
  const folder = `${layer.display}/hooks/${name}`;
  const display = `${folder}/config.yaml`;
  const raw = await readYamlMapping(join(dir, "config.yaml"), display);
  const config = resolveReferences(raw, {
    file: display,
    runtime: { ...runtimeValues, cartridge_root: layer.root },
    resources: resourceNames,
  }) as Record<string, unknown>;
  // `enabled: false` ablates a hook (an inherited one, typically) without deleting its files.
  if (config.enabled === false) return undefined;
  if (config.kind !== "lep") {
    const local = await exists(join(dir, "hook.py")) === "file";
    throw new CartridgeLanguageError({
      file: local ? `${folder}/hook.py` : display,
      ...(local ? {} : { field: "kind" }),
      message: local
        ? "is an in-process Python hook class, which only a Python host can import"
        : `is ${JSON.stringify(config.kind ?? null)}; this host runs hooks declared kind: lep`,
      fix: "port the hook to an LEP server (kind: lep, command: ...) or use a builtin_hooks: entry",
    });
  }
  for (const key of Object.keys(config)) {
    if (
      !["kind", "command", "server", "on_failure", "timeout_s", "env", "view", "order", "enabled"]
        .includes(key)
    ) {
      slot({
        file: display,
        field: key,
        message: "is not a known key of an LEP hook",
        fix: "use kind, server or command, view, on_failure, timeout_s, env",
      });
    }
  }
  if ((config.command === undefined) === (config.server === undefined)) {
    slot({
      file: display,
      field: "server",
      message: "an LEP hook needs exactly one of server: (a file in the hook folder) or command:",
      fix: "write server: server.py, or command: '...'",
    });
  }
  let argv: string[];
  if (config.server !== undefined) {
    if (typeof config.server !== "string" || config.server === "") {
      slot({
        file: display,
        field: "server",
        message: "must be a file path",
        fix: "write server: server.py",
      });
    }
    const path = isAbsolute(config.server) ? config.server : join(dir, config.server);
    if (await exists(path) !== "file") {
      slot({
        file: display,
        field: "server",
        message: `names "${config.server}", which is not a file in ${folder}`,
        fix: "fix the path (relative to the hook folder)",
      });
    }
    argv = path.endsWith(".py") ? [String(runtimeValues.python_executable), path] : [path];
  } else argv = toArgv(config.command, display, "command");
  const view = config.view;
  let viewFields: string[] | undefined;
  if (view !== undefined && view !== null) {
    const fields = (view as { fields?: unknown }).fields;
    if (
      !isMapping(view) ||
      (fields !== undefined &&
        (!Array.isArray(fields) || !fields.every((item) => typeof item === "string")))
    ) {
      slot({
        file: display,
        field: "view",
        message: "must be { fields: [...], fidelity: ... }",
        fix: "write view: { fields: [tool, args] }",
      });
    }
    if (Array.isArray(fields)) viewFields = fields as string[];
  }
  const onFailure = config.on_failure ?? "fail_closed";
  if (!["fail_closed", "fail_open", "continue"].includes(onFailure as string)) {
    slot({
      file: display,
      field: "on_failure",
      message: `is ${JSON.stringify(onFailure)}`,
      fix: "use fail_closed, fail_open or continue",
    });
  }
  return {
    name,
    argv,
    onFailure: onFailure as CartridgeLepHook["onFailure"],
    timeoutMs: seconds(config.timeout_s, display, "timeout_s", 10),
    env: stringMap(config.env, display, "env"),
    ...(viewFields ? { viewFields } : {}),
    file: display,
  };
}

/**
 * Read and validate a Cartridge Spec v2 folder: manifest, the `extends:`
 * chain, `config.yaml` + `runtime.yaml` (tier split), references, prompts,
 * tools, LEP hooks, built-ins, MCP servers, state services, permissions,
 * memory and the output schema. Nothing is spawned, except `python3` to read
 * the metadata of single-file tools (`tools/<name>.py`).
 *
 * @param root The cartridge folder.
 * @param options Runtime values for `${runtime.x}` references.
 * @returns The definition.
 * @throws {CartridgeError} On the first rejection, with file, field and fix (a subclass names the category).
 * @example Read a cartridge and list its tools
 * ```ts ignore
 * const cartridge = await readCartridge("hello.cartridge");
 * console.log(cartridge.tools.map((tool) => tool.name));
 * ```
 */
export async function readCartridge(
  root: string,
  options: ReadCartridgeOptions = {},
): Promise<CartridgeDefinition> {
  const warnings: string[] = [];
  const display = root.replace(/\/+$/, "") || root;
  const raw = await readLayers(root, display, []);
  const hostRuntime = {
    python_executable: "python3",
    workspace: resolve(options.workspace ?? "."),
    ...options.runtime,
  };

  // The resources a reference may name: resources/*.py of the chain, state services, `runtime`.
  const resources = new Map<string, string>();
  const resourceNames = new Set<string>(["runtime"]);
  for (const layer of raw) {
    for (const file of await list(join(layer.root, "resources"))) {
      if (!file.dir && file.name.endsWith(".py")) {
        resources.set(file.name.slice(0, -3), join(layer.root, "resources", file.name));
        resourceNames.add(file.name.slice(0, -3));
      }
    }
    if (isMapping(layer.rawConfig.state_services)) {
      for (const name of Object.keys(layer.rawConfig.state_services)) resourceNames.add(name);
    }
  }

  const layers: Layer[] = raw.map((layer) => {
    checkTiers(layer, layer.rawConfig, layer.rawRuntime, warnings);
    const runtime = { ...hostRuntime, cartridge_root: layer.root };
    const { extends: _parent, ...configRest } = layer.rawConfig;
    return {
      root: layer.root,
      display: layer.display,
      manifest: layer.manifest,
      config: resolveReferences(configRest, {
        file: `${layer.display}/config.yaml`,
        runtime,
        resources: resourceNames,
      }) as Record<string, unknown>,
      runtime: resolveReferences(layer.rawRuntime, {
        file: `${layer.display}/runtime.yaml`,
        runtime,
        resources: resourceNames,
      }) as Record<string, unknown>,
    };
  });
  const leaf = layers.at(-1) as Layer; // readLayers puts the cartridge itself last
  for (const key of ["memory_sources", "state", "tool_metadata", "output_schema"]) {
    if (layers.some((layer) => key in layer.config)) {
      warnings.push(
        `${leaf.display}/config.yaml: ${key}: is not used by this host (${
          key === "output_schema"
            ? "declare it on the done tool's tool.yaml"
            : "it names Python objects"
        })`,
      );
    }
  }
  const configFile = `${leaf.display}/config.yaml`;
  const config = layers.reduce<Record<string, unknown>>(
    (acc, layer) => merge(acc, layer.config),
    {},
  );
  const runtimeConfig = layers.reduce<Record<string, unknown>>(
    (acc, layer) => merge(acc, layer.runtime),
    {},
  );

  // Budgets and sentinel.
  const maxSteps = config.max_steps ?? 15;
  if (!Number.isInteger(maxSteps) || (maxSteps as number) < 1) {
    slot({
      file: configFile,
      field: "max_steps",
      message: `must be a positive integer, got ${JSON.stringify(maxSteps)}`,
      fix: "write max_steps: 15",
    });
  }
  const doneTool = config.done_tool ?? "done";
  if (typeof doneTool !== "string" || !TOOL_NAME.test(doneTool)) {
    slot({
      file: configFile,
      field: "done_tool",
      message: `must be a tool name, got ${JSON.stringify(doneTool)}`,
      fix: "write done_tool: done",
    });
  }
  const modelBlock = model(config.model, configFile);
  for (const key of ["max_tokens", "temperature"] as const) {
    const value = runtimeConfig[key];
    if (value !== undefined && value !== null && typeof value !== "number") {
      slot({
        file: `${leaf.display}/runtime.yaml`,
        field: key,
        message: `must be a number, got ${JSON.stringify(value)}`,
        fix: `write ${key}: <number>`,
      });
    }
  }
  const maxTokens = (modelBlock?.max_tokens ?? runtimeConfig.max_tokens ?? undefined) as
    | number
    | undefined;
  const temperature = (modelBlock?.temperature ?? runtimeConfig.temperature ?? undefined) as
    | number
    | undefined;

  // Prompts, with the v2 magic-file rule.
  const prompts = new Map<string, Layer>();
  for (const layer of layers) {
    for (const file of await list(join(layer.root, "prompts"))) {
      if (!file.dir) prompts.set(file.name, layer);
    }
  }
  const builtinHooks = builtins(
    config.builtin_hooks,
    configFile,
    "builtin_hooks",
    BUILTIN_HOOK_NAMES,
  );
  for (
    const [file, hook] of [["briefing.md", "static_briefing"], [
      "recovery.md",
      "recovery_hint",
    ]] as const
  ) {
    const layer = prompts.get(file);
    if (layer === undefined) continue;
    const declared = builtinHooks.some((entry) =>
      entry.name === hook &&
      String(entry.options.path ?? "").replace(/^\.\//, "") === `prompts/${file}`
    );
    if (!declared) {
      throw new CartridgeRemovedError({
        file: `${layer.display}/prompts/${file}`,
        message: "magic prompt files are not auto-loaded in spec v2",
        fix: `declare it in config.yaml: builtin_hooks: [{ ${hook}: { path: prompts/${file} } }]`,
      });
    }
  }
  const systemLayer = prompts.get("system.md");
  const systemPrompt = systemLayer
    ? await readFile(join(systemLayer.root, "prompts", "system.md"), "utf8")
    : typeof config.system_prompt === "string"
    ? config.system_prompt
    : undefined;
  if (systemPrompt === undefined) {
    warnings.push(`${leaf.display}/prompts/system.md: missing; the host's default prompt is used`);
  }

  // Tools (by folder name; the child wins), then hooks.
  const renderHints = runtimeConfig.tool_render_hints ?? {};
  if (!isMapping(renderHints)) {
    slot({
      file: `${leaf.display}/runtime.yaml`,
      field: "tool_render_hints",
      message: "must be a mapping of tool names to hints",
      fix: "write tool_render_hints:\\n  bash: { max_chars: 4000 }",
    });
  }
  const toolEntries = new Map<string, { name: string; dir: boolean; layer: Layer }>();
  const hookEntries = new Map<string, { name: string; layer: Layer }>();
  const memoryFiles = new Map<string, Layer>();
  for (const layer of layers) {
    for (const entry of await list(join(layer.root, "tools"))) {
      if (entry.name.startsWith(".") || entry.name === "__pycache__") continue;
      if (entry.dir) toolEntries.set(entry.name, { ...entry, layer });
      else if (entry.name.endsWith(".py")) {
        toolEntries.set(entry.name.slice(0, -3), { ...entry, layer });
      }
    }
    for (const entry of await list(join(layer.root, "hooks"))) {
      if (entry.dir && !entry.name.startsWith(".") && entry.name !== "__pycache__") {
        hookEntries.set(entry.name, { name: entry.name, layer });
      }
    }
    for (const entry of await list(join(layer.root, "memory"))) {
      if (!entry.dir && (entry.name.endsWith(".md") || entry.name.endsWith(".py"))) {
        memoryFiles.set(entry.name, layer);
      }
    }
  }
  const tools: CartridgeTool[] = [];
  for (const key of [...toolEntries.keys()].sort()) {
    tools.push(
      await readTool(
        toolEntries.get(key)!,
        doneTool as string,
        renderHints,
        hostRuntime,
        resourceNames,
      ),
    );
  }
  const seenNames = new Map<string, string>();
  for (const candidate of tools) {
    const previous = seenNames.get(candidate.name);
    if (previous !== undefined) {
      slot({
        file: candidate.file,
        field: "name",
        message: `"${candidate.name}" is also the name of ${previous}`,
        fix: "tool names must be unique; rename one",
      });
    }
    seenNames.set(candidate.name, candidate.file);
    for (const name of candidate.requires) {
      if (!resourceNames.has(name)) {
        throw new CartridgeReferenceError({
          file: candidate.file,
          field: "requires",
          message: `names "${name}", which no resources/${name}.py or state service provides`,
          fix: `add resources/${name}.py, a state_services entry "${name}", or remove it`,
        });
      }
    }
  }
  for (const name of Object.keys(renderHints)) {
    if (!tools.some((candidate) => candidate.name === name)) {
      warnings.push(
        `${leaf.display}/runtime.yaml: tool_render_hints.${name}: no tool of that name`,
      );
    }
  }
  const hooks: CartridgeLepHook[] = [];
  for (const key of [...hookEntries.keys()].sort()) {
    const hook = await readHook(hookEntries.get(key)!, hostRuntime, resourceNames);
    if (hook) hooks.push(hook);
  }

  // Built-ins, servers, permissions, output schema.
  const builtinTools = builtins(
    config.builtin_tools,
    configFile,
    "builtin_tools",
    BUILTIN_TOOL_NAMES,
  );
  for (const entry of builtinHooks) {
    if (entry.name === "static_briefing" || entry.name === "recovery_hint") {
      const { path, text } = entry.options;
      if ((path === undefined) === (text === undefined)) {
        slot({
          file: configFile,
          field: `builtin_hooks.${entry.name}`,
          message: "needs exactly one of path: or text:",
          fix: `write - ${entry.name}: { path: prompts/<file>.md }`,
        });
      }
    }
  }
  const mcpServers = servers(config.mcp_servers, configFile, "mcp_servers", true);
  const stateServices = servers(config.state_services, configFile, "state_services", false);
  const permissionBlock = permissions(config.permissions, configFile);
  const done = tools.find((candidate) => candidate.name === doneTool);
  for (const candidate of tools) {
    if (candidate.outputSchema !== undefined && candidate !== done) {
      warnings.push(`${candidate.file}: output_schema: only the done_tool's schema is validated`);
    }
  }

  // Memory: long_term.md first; then `include:` (with a memory block) or every other file.
  const memory: CartridgeMemory[] = [];
  let memoryMaxTokens: number | undefined;
  const memoryBlock = config.memory;
  const addMemory = (relative: string, field: string) => {
    const name = relative.replace(/^\.?\/?memory\//, "");
    const layer = memoryFiles.get(name);
    const file = layer ? join(layer.root, "memory", name) : join(leaf.root, relative);
    if (memory.some((entry) => entry.file === file)) return;
    if (!layer && !relative.startsWith("memory/")) {
      memory.push({
        name: basename(relative),
        file,
        kind: relative.endsWith(".py") ? "python" : "markdown",
      });
      return;
    }
    if (!layer) {
      slot({
        file: configFile,
        field,
        message: `names "${relative}", which does not exist`,
        fix: "fix the path or add the file",
      });
    }
    memory.push({ name, file, kind: name.endsWith(".py") ? "python" : "markdown" });
  };
  if (memoryBlock !== undefined && memoryBlock !== null) {
    if (!isMapping(memoryBlock)) {
      slot({
        file: configFile,
        field: "memory",
        message: "must be a mapping",
        fix: "write memory:\\n  include: [memory/notes.md]",
      });
    }
    for (const key of Object.keys(memoryBlock)) {
      if (!["long_term", "include", "max_tokens"].includes(key)) {
        slot({
          file: configFile,
          field: `memory.${key}`,
          message: "is not a known key",
          fix: "use long_term, include or max_tokens",
        });
      }
    }
    if (typeof memoryBlock.long_term === "string") {
      addMemory(memoryBlock.long_term, "memory.long_term");
    } else if (memoryFiles.has("long_term.md")) {
      addMemory("memory/long_term.md", "memory.long_term");
    }
    const include = memoryBlock.include ?? [];
    if (!Array.isArray(include) || !include.every((item) => typeof item === "string")) {
      slot({
        file: configFile,
        field: "memory.include",
        message: "must be a list of paths",
        fix: "write include: [memory/notes.md]",
      });
    }
    include.forEach((item, index) => addMemory(item, `memory.include[${index}]`));
    const limit = memoryBlock.max_tokens;
    if (limit !== undefined && limit !== null) {
      if (!Number.isInteger(limit) || (limit as number) < 0) {
        slot({
          file: configFile,
          field: "memory.max_tokens",
          message: `must be a non-negative integer, got ${JSON.stringify(limit)}`,
          fix: "write max_tokens: 1500",
        });
      }
      memoryMaxTokens = limit as number;
    }
    for (const name of memoryFiles.keys()) {
      if (!memory.some((entry) => entry.name === name)) {
        warnings.push(
          `${leaf.display}/memory/${name}: not loaded (the memory: block does not include it)`,
        );
      }
    }
  } else {
    if (memoryFiles.has("long_term.md")) addMemory("memory/long_term.md", "memory");
    for (const name of memoryFiles.keys()) addMemory(`memory/${name}`, "memory");
  }

  return {
    displayRoot: display,
    root: leaf.root,
    manifest: leaf.manifest,
    chain: layers.map((layer) => layer.root),
    config,
    runtimeConfig,
    ...(systemPrompt !== undefined ? { systemPrompt } : {}),
    maxSteps: maxSteps as number,
    doneTool: doneTool as string,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(modelBlock ? { model: modelBlock } : {}),
    ...(permissionBlock ? { permissions: permissionBlock } : {}),
    ...(done?.outputSchema ? { outputSchema: done.outputSchema } : {}),
    tools,
    hooks,
    builtinTools,
    builtinHooks,
    mcpServers,
    stateServices,
    resources,
    memory,
    ...(memoryMaxTokens !== undefined ? { memoryMaxTokens } : {}),
    warnings,
  };
}
