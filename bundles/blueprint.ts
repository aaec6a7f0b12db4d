import { createHash } from "node:crypto";
import type { BuiltAgent } from "./load_bundle.ts";

/**
 * The version tag of the blueprint format.
 *
 * @example Check a blueprint's format before reading it
 * ```ts ignore
 * import { BLUEPRINT_SCHEMA_VERSION } from "jsr:@looplet/looplet/bundles";
 * const blueprint = JSON.parse(await Deno.readTextFile("coder.blueprint.json"));
 * if (blueprint.schema_version !== BLUEPRINT_SCHEMA_VERSION) throw new Error("unknown blueprint format");
 * ```
 */
export const BLUEPRINT_SCHEMA_VERSION = "looplet.agent-blueprint.v1";

/**
 * One tool in a blueprint.
 *
 * @example List a blueprint's tools and where they came from
 * ```ts ignore
 * const blueprint = await bundleBlueprint("examples/skills/coder");
 * for (const tool of blueprint.tools) {
 *   console.log(tool.name, tool.origin, tool.concurrency_safe, tool.timeout_ms ?? "-");
 * }
 * ```
 */
export interface ToolBlueprint {
  /** Tool name. */
  readonly name: string;
  /** Description the model sees. */
  readonly description: string;
  /** JSON Schema of the arguments. */
  readonly parameters: unknown;
  /** Runs alongside other concurrency-safe calls. */
  readonly concurrency_safe: boolean;
  /** Timeout in milliseconds, or null. */
  readonly timeout_ms: number | null;
  /** Where it came from: `entrypoint`, `tools/<name>`, `mcp:<server>`. */
  readonly origin: string;
}

/**
 * A versioned JSON description of what a bundle builds. Keys are snake_case;
 * `fingerprint` is the SHA-256 of everything but `source` and itself.
 *
 * @example Read a bundle's blueprint
 * ```ts ignore
 * const blueprint = await bundleBlueprint("examples/skills/coder");
 * console.log(blueprint.name, blueprint.config.max_steps, blueprint.fingerprint);
 * console.log(blueprint.tools.map((tool) => tool.name), blueprint.hooks.map((hook) => hook.name));
 * ```
 */
export interface AgentBlueprint {
  /** Always `looplet.agent-blueprint.v1`. */
  readonly schema_version: string;
  /** Bundle name. */
  readonly name: string;
  /** Bundle description. */
  readonly description: string;
  /** Tags. */
  readonly tags: readonly string[];
  /** Where it was built from (not part of the fingerprint). */
  readonly source: {
    readonly kind: string;
    readonly path: string | null;
    readonly entrypoint: string | null;
  };
  /** SKILL.md body. */
  readonly instructions: string;
  /** Base system prompt. */
  readonly system_prompt: string;
  /** Memory files. */
  readonly memory: readonly { readonly name: string; readonly text: string }[];
  /** Loop settings. */
  readonly config: { readonly max_steps: number; readonly done_tool: string };
  /** Tools, in order. */
  readonly tools: readonly ToolBlueprint[];
  /** Hooks, in order, with their JSON config (null when they have none). */
  readonly hooks: readonly { readonly name: string; readonly config: unknown }[];
  /** MCP servers attached. */
  readonly mcp_servers: readonly unknown[];
  /** Initial run metadata. */
  readonly state: Record<string, unknown>;
  /** SHA-256 hex of the canonical JSON of everything but `source`. */
  readonly fingerprint: string;
}

/** Sort object keys recursively; drop undefined; non-JSON values become null. */
function canonical(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return null;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === "function") continue;
      out[key] = canonical(item);
    }
    return out;
  }
  return null;
}

/**
 * Canonical JSON text: keys sorted, no whitespace.
 *
 * @param value Any JSON-like value.
 * @returns The text.
 * @example
 * ```ts ignore
 * canonicalJson({ b: 1, a: 2 }); // '{"a":2,"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

/**
 * The fingerprint of a blueprint: SHA-256 of its canonical JSON without
 * `source` and `fingerprint`.
 *
 * @param blueprint The blueprint (its `fingerprint` field is ignored).
 * @returns 64 hex characters.
 * @example
 * ```ts ignore
 * blueprintFingerprint(blueprint) === blueprint.fingerprint; // true
 * ```
 */
export function blueprintFingerprint(blueprint: Omit<AgentBlueprint, "fingerprint">): string {
  const { source: _source, fingerprint: _fingerprint, ...rest } = blueprint as AgentBlueprint;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}

/**
 * Options of `agentBlueprint`.
 *
 * @example Describe where the agent came from
 * ```ts ignore
 * const blueprint = agentBlueprint(agent, {
 *   kind: "bundle",
 *   path: "examples/skills/coder",
 *   entrypoint: "looplet.ts",
 *   tags: ["coding"],
 * });
 * ```
 */
export interface AgentBlueprintOptions {
  /** Source kind. @default "bundle" */
  readonly kind?: string;
  /** Source path. @default null */
  readonly path?: string | null;
  /** Entrypoint, relative. @default null */
  readonly entrypoint?: string | null;
  /** Tags. @default [] */
  readonly tags?: readonly string[];
}

/**
 * Describe a built agent as a blueprint.
 *
 * @param agent The built agent.
 * @param options Source description and tags.
 * @returns The blueprint, with its fingerprint.
 * @example
 * ```ts ignore
 * const blueprint = agentBlueprint(await buildBundle(bundle), { path: "examples/skills/coder" });
 * ```
 */
export function agentBlueprint(
  agent: BuiltAgent,
  options: AgentBlueprintOptions = {},
): AgentBlueprint {
  const { kind = "bundle", path = null, entrypoint = null, tags = [] } = options;
  const body = {
    schema_version: BLUEPRINT_SCHEMA_VERSION,
    name: agent.name,
    description: agent.description,
    tags: [...tags],
    source: { kind, path, entrypoint },
    instructions: agent.instructions,
    system_prompt: agent.basePrompt,
    memory: agent.memory.map((file) => ({ name: file.name, text: file.text })),
    config: { max_steps: agent.maxSteps, done_tool: agent.doneTool },
    tools: agent.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: canonical(tool.input.toJSONSchema()),
      concurrency_safe: tool.concurrencySafe ?? false,
      timeout_ms: tool.timeoutMs ?? null,
      origin: agent.toolOrigins.get(tool.name) ?? "entrypoint",
    })),
    hooks: agent.hooks.map((hook, index) => ({
      name: hook.name ?? `hook-${index + 1}`,
      config: canonical((hook as { config?: unknown }).config ?? null),
    })),
    mcp_servers: agent.mcpServers.map((server) => canonical(server)),
    state: canonical(agent.metadata) as Record<string, unknown>,
  };
  return { ...body, fingerprint: blueprintFingerprint(body) };
}

/**
 * What `compareBlueprints` returns.
 *
 * @example Fail when a rewritten bundle builds a different agent
 * ```ts ignore
 * const { ok, differences } = compareBlueprints(before, after);
 * if (!ok) throw new Error(`Blueprints differ:\n${differences.join("\n")}`);
 * ```
 */
export interface BlueprintComparison {
  /** True when nothing differs. */
  readonly ok: boolean;
  /** One line per difference: `tools[2].description differs: "a" vs "b"`. */
  readonly differences: readonly string[];
}

/**
 * Options of `compareBlueprints`.
 *
 * @example Compare only what the agent does
 * ```ts ignore
 * const { ok } = compareBlueprints(before, after, { ignoreMetadata: true, includeSource: false });
 * ```
 */
export interface CompareBlueprintsOptions {
  /** Also compare `source`. @default false */
  readonly includeSource?: boolean;
  /** Ignore name, description, tags and instructions. @default false */
  readonly ignoreMetadata?: boolean;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function diff(left: unknown, right: unknown, path: string, out: string[]): void {
  if (canonicalJson(left) === canonicalJson(right)) return;
  if (Array.isArray(left) && Array.isArray(right)) {
    const named = (list: unknown[]) =>
      list.every((item) => typeof (item as { name?: unknown })?.name === "string");
    if (named(left) && named(right)) {
      const byName = (list: unknown[]) =>
        new Map(list.map((item) => [(item as { name: string }).name, item]));
      const a = byName(left);
      const b = byName(right);
      for (const [name, item] of a) {
        if (!b.has(name)) out.push(`${path}["${name}"] only in left`);
        else diff(item, b.get(name), `${path}["${name}"]`, out);
      }
      for (const name of b.keys()) if (!a.has(name)) out.push(`${path}["${name}"] only in right`);
      const order = (map: Map<string, unknown>) =>
        [...map.keys()].filter((k) => a.has(k) && b.has(k));
      if (order(a).join() !== order(b).join()) out.push(`${path} order differs`);
      return;
    }
    if (left.length !== right.length) {
      out.push(`${path} length differs: ${left.length} vs ${right.length}`);
      return;
    }
    left.forEach((item, index) => diff(item, right[index], `${path}[${index}]`, out));
    return;
  }
  const isObject = (value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (isObject(left) && isObject(right)) {
    const a = left as Record<string, unknown>;
    const b = right as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      diff(a[key], b[key], path === "" ? key : `${path}.${key}`, out);
    }
    return;
  }
  out.push(`${path} differs: ${short(left)} vs ${short(right)}`);
}

/**
 * Compare two blueprints and list every difference, by path.
 *
 * @param left One blueprint.
 * @param right The other.
 * @param options What to ignore.
 * @returns `ok` and the differences.
 * @example
 * ```ts ignore
 * const { ok, differences } = compareBlueprints(before, after);
 * ```
 */
export function compareBlueprints(
  left: AgentBlueprint,
  right: AgentBlueprint,
  options: CompareBlueprintsOptions = {},
): BlueprintComparison {
  const { includeSource = false, ignoreMetadata = false } = options;
  const strip = (blueprint: AgentBlueprint) => {
    const copy: Record<string, unknown> = { ...blueprint };
    delete copy.fingerprint;
    if (!includeSource) delete copy.source;
    if (ignoreMetadata) {
      for (const key of ["name", "description", "tags", "instructions"]) delete copy[key];
    }
    return copy;
  };
  const differences: string[] = [];
  diff(strip(left), strip(right), "", differences);
  return { ok: differences.length === 0, differences };
}
