import { z } from "zod";
import type { BundleProblem } from "./bundle_error.ts";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Bundle-specific front-matter fields of SKILL.md (besides `name` and `description`). */
export const BundleFrontMatter: z.ZodType<BundleFrontMatterFields> = z.object({
  entrypoint: z.string().min(1, "must be a file path inside the bundle, e.g. looplet.ts")
    .optional(),
  tags: z.union([z.array(z.string()), z.string()]).optional(),
  "max-steps": z.number().int().positive().optional(),
  "done-tool": z.string().regex(TOOL_NAME).optional(),
  network: z.boolean("must be true or false").optional(),
  "pass-env": z.array(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name such as "GITHUB_TOKEN"'),
  ).optional(),
}).loose() as unknown as z.ZodType<BundleFrontMatterFields>;

/**
 * The bundle fields of the front matter, as validated.
 *
 * @example The bundle fields of a SKILL.md front matter
 * ```ts
 * import type { BundleFrontMatterFields } from "jsr:@looplet/looplet/bundles";
 * const fields: BundleFrontMatterFields = {
 *   entrypoint: "looplet.ts",
 *   tags: ["coding", "tests"],
 *   "max-steps": 30,
 *   "done-tool": "done",
 *   network: false,
 *   "pass-env": ["GITHUB_TOKEN"],
 * };
 * ```
 */
export interface BundleFrontMatterFields {
  /** Entrypoint module, relative to the bundle. */
  readonly entrypoint?: string;
  /** Tags, as a list or a comma-separated string. */
  readonly tags?: readonly string[] | string;
  /** Step budget. */
  readonly "max-steps"?: number;
  /** Name of the finishing tool. */
  readonly "done-tool"?: string;
  /** Command tools keep the network inside the sandbox. */
  readonly network?: boolean;
  /** Variables command tools get from the caller's environment, named one by one. */
  readonly "pass-env"?: readonly string[];
  /** Other keys, kept. */
  readonly [key: string]: unknown;
}

/**
 * A declarative tool: `tools/<name>/tool.json`.
 *
 * @example A `tools/count_lines/tool.json` that runs a script
 * ```ts
 * import type { ToolManifest } from "jsr:@looplet/looplet/bundles";
 * const manifest: ToolManifest = {
 *   name: "count_lines",
 *   description: "Count the lines of a workspace file.",
 *   input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
 *   command: ["sh", "${TOOL_DIR}/count.sh"],
 *   timeout_ms: 10_000,
 * };
 * ```
 */
export interface ToolManifest {
  /** Tool name (must match the folder name). */
  readonly name: string;
  /** What the tool does, for the model. */
  readonly description: string;
  /** JSON Schema of the arguments: `{ "type": "object", "properties": {...} }`. */
  readonly input_schema: Record<string, unknown>;
  /** Run as a subprocess: program and arguments; JSON args on stdin, JSON result on stdout. */
  readonly command?: readonly string[];
  /** Or import this module (relative to the tool folder) and call its `execute(args, ctx)`. */
  readonly module?: string;
  /** Abort after this many milliseconds. */
  readonly timeout_ms?: number;
  /** May run alongside other concurrency-safe calls. */
  readonly concurrency_safe?: boolean;
}

/** Zod schema of `tool.json`. */
export const ToolManifestSchema: z.ZodType<ToolManifest> = z.strictObject({
  name: z.string({ error: "is missing; add the tool's name (the same as its folder)" })
    .regex(TOOL_NAME, "must be 1-64 letters, digits, '_' or '-'"),
  description: z.string({ error: "is missing; describe what the tool does, for the model" })
    .trim().min(1, "is empty; describe what the tool does, for the model"),
  input_schema: z.record(z.string(), z.unknown(), {
    error: 'is missing; add a JSON Schema such as { "type": "object", "properties": {} }',
  }),
  command: z.array(z.string().min(1)).min(1, 'must name a program, e.g. ["sh", "run.sh"]')
    .optional(),
  module: z.string().min(1).optional(),
  timeout_ms: z.number().positive().optional(),
  concurrency_safe: z.boolean().optional(),
}).refine((value) => (value.command === undefined) !== (value.module === undefined), {
  message:
    "give exactly one of 'command' (a subprocess) or 'module' (a JS/TS file exporting execute)",
  path: ["command"],
}) as unknown as z.ZodType<ToolManifest>;

/**
 * One hook declared in `hooks/hooks.json`.
 *
 * @example An entry of `hooks/hooks.json`
 * ```ts
 * import type { HookSpec } from "jsr:@looplet/looplet/bundles";
 * const spec: HookSpec = { use: "test-guard", config: { command: "npm test", timeout_ms: 120000 } };
 * ```
 */
export interface HookSpec {
  /** Name of a factory in the hook registry, e.g. `test-guard`. */
  readonly use: string;
  /** JSON options passed to the factory. */
  readonly config?: Record<string, unknown>;
}

/** Zod schema of `hooks/hooks.json`. */
export const HooksFileSchema: z.ZodType<{ hooks: HookSpec[] }> = z.strictObject({
  hooks: z.array(z.strictObject({
    use: z.string().min(1),
    config: z.record(z.string(), z.unknown()).optional(),
  })),
}) as unknown as z.ZodType<{ hooks: HookSpec[] }>;

/**
 * One MCP server a bundle attaches, from `mcp.json`.
 *
 * @example A stdio server in `mcp.json`
 * ```ts
 * import type { McpServerSpec } from "jsr:@looplet/looplet/bundles";
 * const spec: McpServerSpec = {
 *   name: "fs",
 *   command: "npx",
 *   args: ["-y", "@modelcontextprotocol/server-filesystem", "."],
 *   timeout_ms: 30000,
 * };
 * ```
 */
export interface McpServerSpec {
  /** Server name (tools are prefixed with it unless `prefix` says otherwise). */
  readonly name: string;
  /** Program to start (stdio transport). */
  readonly command?: string;
  /** Its arguments. */
  readonly args?: readonly string[];
  /** Extra environment. */
  readonly env?: Record<string, string>;
  /** Working folder, relative to the bundle. */
  readonly cwd?: string;
  /** Or an HTTP endpoint. */
  readonly url?: string;
  /** HTTP headers. */
  readonly headers?: Record<string, string>;
  /** Tool name prefix. */
  readonly prefix?: string;
  /** Request timeout. */
  readonly timeout_ms?: number;
}

/** Zod schema of `mcp.json`. */
export const McpFileSchema: z.ZodType<{ servers: McpServerSpec[] }> = z.strictObject({
  servers: z.array(
    z.strictObject({
      name: z.string().regex(TOOL_NAME, "must be letters, digits, '_' or '-'"),
      command: z.string().min(1).optional(),
      args: z.array(z.string()).optional(),
      env: z.record(z.string(), z.string()).optional(),
      cwd: z.string().optional(),
      url: z.url().optional(),
      headers: z.record(z.string(), z.string()).optional(),
      prefix: z.string().optional(),
      timeout_ms: z.number().positive().optional(),
    }).refine((server) => (server.command === undefined) !== (server.url === undefined), {
      message: "give exactly one of 'command' (stdio) or 'url' (HTTP)",
      path: ["command"],
    }),
  ),
}) as unknown as z.ZodType<{ servers: McpServerSpec[] }>;

/** Zod schema of `scripted.json`: the replies `--scripted` replays. */
export const ScriptedFileSchema: z.ZodType<unknown[]> = z.array(
  z.union([
    z.string().min(1, "must not be empty"),
    z.object({
      text: z.string().optional(),
      toolCalls: z.array(
        z.object({ name: z.string(), args: z.record(z.string(), z.unknown()).optional() }),
      ),
    }),
  ]),
).min(1, "must list at least one reply") as unknown as z.ZodType<unknown[]>;

/** Turn Zod issues into bundle problems for one file. */
export function zodProblems(
  path: string,
  error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
  fieldPrefix = "",
): BundleProblem[] {
  return error.issues.map((issue) => {
    const field = fieldPrefix +
      issue.path.map((key, index) =>
        typeof key === "number" ? `[${key}]` : `${index === 0 ? "" : "."}${String(key)}`
      ).join("");
    return { path, ...(field !== "" ? { field } : {}), message: issue.message };
  });
}

/**
 * Check that a JSON Schema can describe tool arguments: an object schema with
 * a `properties` mapping and `required` names that exist.
 */
export function checkInputSchema(schema: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (schema.type !== "object") {
    problems.push(`'type' must be "object", got ${JSON.stringify(schema.type)}`);
  }
  const properties = schema.properties;
  if (
    properties !== undefined &&
    (typeof properties !== "object" || properties === null || Array.isArray(properties))
  ) {
    problems.push("'properties' must be a mapping of argument name to schema");
  }
  const required = schema.required;
  if (required !== undefined) {
    if (!Array.isArray(required) || !required.every((item) => typeof item === "string")) {
      problems.push("'required' must be a list of argument names");
    } else if (typeof properties === "object" && properties !== null) {
      for (const name of required) {
        if (!(name in properties)) {
          problems.push(`'required' names "${name}", which is not in 'properties'`);
        }
      }
    }
  }
  return problems;
}
