import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { z } from "zod";
import type { AnyTool, SchemaParseResult, ToolContext } from "../loop/types.ts";
import { tool } from "../tools/tool.ts";
import { type CommandPolicy, runCommand, workspaceHome } from "../tools/workspace/run_command.ts";
import { capText } from "../internal/limits.ts";
import type { ToolEntry } from "./read_bundle_folder.ts";
import { importFailure } from "./_import_failure.ts";

/**
 * What `declaredTool` needs besides the manifest.
 *
 * @example Run a bundle's declared tools in a workspace
 * ```ts ignore
 * const { folder } = await readBundleFolder("examples/skills/dep_audit");
 * const tools = await Promise.all(
 *   folder!.tools.map((entry) => declaredTool(entry, { workspace: "./project" })),
 * );
 * ```
 */
export interface DeclaredToolOptions extends CommandPolicy {
  /** The workspace: command tools run there, with `LOOPLET_WORKSPACE` set to it. */
  readonly workspace: string;
}

/**
 * Make a tool from a `tools/<name>/tool.json` manifest. A `command` tool runs
 * as a subprocess in the workspace: it gets the arguments as JSON on stdin
 * and must print one JSON value on stdout and exit 0 (`${TOOL_DIR}` in the
 * command is the tool's folder). It gets the explicit environment of
 * `runCommand` (no secrets unless `passEnv` names them), runs in the
 * sandbox the options ask for (with its own folder visible read-only), and
 * is killed after `timeout_ms` (default 120000). A `module` tool imports the module and calls
 * its `execute(args, ctx)`; `ctx.workspace` is the workspace folder.
 *
 * @param entry The manifest and its folder.
 * @param options The workspace, sandbox, network and passed variables.
 * @returns The tool; its input schema is the manifest's JSON Schema.
 * @throws {TypeError} When a module does not export `execute`, or a command names no program.
 * @example
 * ```ts ignore
 * const tools = await Promise.all(folder.tools.map((entry) => declaredTool(entry, { workspace: "." })));
 * ```
 */
export async function declaredTool(
  entry: ToolEntry,
  options: DeclaredToolOptions,
): Promise<AnyTool> {
  const { manifest, dir, manifestPath } = entry;
  const validator = z.fromJSONSchema(
    manifest.input_schema as Parameters<typeof z.fromJSONSchema>[0],
  );
  const input = {
    safeParse: (value: unknown) => validator.safeParse(value) as SchemaParseResult<unknown>,
    toJSONSchema: () => structuredClone(manifest.input_schema),
  };
  let execute: (args: unknown, ctx: ToolContext) => unknown;
  if (manifest.module !== undefined) {
    const module = await import(pathToFileURL(join(dir, manifest.module)).href).catch((error) => {
      throw new TypeError(`${manifestPath}: module: "${manifest.module}" ${importFailure(error)}`, {
        cause: error,
      });
    });
    if (typeof module.execute !== "function") {
      throw new TypeError(
        `${manifestPath}: module: "${manifest.module}" must export a function execute(args, ctx)`,
      );
    }
    execute = (args, ctx) => module.execute(args, { ...ctx, workspace: options.workspace });
  } else {
    const [program, ...rest] = (manifest.command ?? []).map((part) =>
      part.replaceAll("${TOOL_DIR}", dir)
    );
    if (program === undefined) {
      throw new TypeError(
        `${manifestPath}: command: must name a program, e.g. ["sh", "run.sh"], or set module`,
      );
    }
    const { workspace, ...policy } = options;
    const timeoutMs = manifest.timeout_ms ?? 120_000;
    execute = async (args, ctx) => {
      const run = await runCommand(program, rest, {
        ...policy,
        cwd: workspace,
        env: { LOOPLET_WORKSPACE: workspace, LOOPLET_TOOL_DIR: dir },
        stdin: JSON.stringify(args),
        signal: ctx.signal,
        timeoutMs,
        readOnlyPaths: [dir],
        home: workspaceHome(workspace),
      });
      const where = `tool "${manifest.name}" (${manifestPath} command)`;
      if (run.timedOut) throw new Error(`${where} timed out after ${timeoutMs} ms`);
      if (run.exitCode !== 0) {
        throw new Error(
          `${where} exited with code ${run.exitCode}: ${
            capText(run.stderr.trim() || run.stdout.trim(), 500).text
          }; fix the command so it exits 0 and prints a JSON result`,
        );
      }
      try {
        return JSON.parse(run.stdout);
      } catch {
        throw new Error(
          `${where} printed non-JSON output: ${
            JSON.stringify(capText(run.stdout.trim(), 200).text)
          }; the command must print exactly one JSON value on stdout (logs go to stderr)`,
        );
      }
    };
  }
  return tool({
    name: manifest.name,
    description: manifest.description,
    input: input as unknown as z.ZodType,
    execute,
    ...(manifest.concurrency_safe !== undefined
      ? { concurrencySafe: manifest.concurrency_safe }
      : {}),
    ...(manifest.timeout_ms !== undefined && manifest.module !== undefined
      ? { timeoutMs: manifest.timeout_ms }
      : {}),
  });
}
