import { cp } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { BundleError, type BundleProblem } from "./bundle_error.ts";
import { HOOK_FACTORIES } from "./hook_registry.ts";
import type { BuiltAgent } from "./load_bundle.ts";
import { DEFAULT_SYSTEM_PROMPT } from "../loop/prompt.ts";
import { writeFolderAtomically } from "./_atomic_write.ts";

/**
 * Options of `writeBundle`.
 *
 * @example Tag the written bundle
 * ```ts ignore
 * await writeBundle(agent, "skills/dep-audit-copy", { tags: ["audit", "deps"] });
 * ```
 */
export interface WriteBundleOptions {
  /** Tags for the front matter. @default [] */
  readonly tags?: readonly string[];
}

/**
 * Write a built agent out as a declarative bundle folder (SKILL.md,
 * prompts/system.md, memory/, tools/, hooks/hooks.json, mcp.json,
 * state.json), so that loading it back gives an equal blueprint. Tools
 * defined in code and hooks not made by a registered factory cannot be
 * written as data; they are reported (use `looplet package` for those).
 * The folder is written atomically and must not exist.
 *
 * @param agent The built agent (from `buildBundle`).
 * @param outDir The folder to create.
 * @param options Tags.
 * @returns The folder path.
 * @throws {BundleError} Listing every part that cannot be written, or when the folder exists.
 * @example
 * ```ts ignore
 * await writeBundle(await buildBundle(await loadBundle("examples/skills/dep_audit")), "copy");
 * ```
 */
export async function writeBundle(
  agent: BuiltAgent,
  outDir: string,
  options: WriteBundleOptions = {},
): Promise<string> {
  const { tags = [] } = options;
  const problems: BundleProblem[] = [];
  const copies: string[] = [];
  for (const tool of agent.tools) {
    const origin = agent.toolOrigins.get(tool.name) ?? "entrypoint";
    if (origin.startsWith("tools/")) copies.push(origin);
    else if (!origin.startsWith("mcp:")) {
      problems.push({
        path: outDir,
        field: `tools.${tool.name}`,
        message:
          `tool "${tool.name}" is defined in code and cannot be written as data; give it a tools/${tool.name}/tool.json, or use 'looplet package' to bundle its factory`,
      });
    }
  }
  const hooks = agent.hooks.map((hook, index) => {
    const config = (hook as { config?: Record<string, unknown> }).config;
    if (hook.name === undefined || !HOOK_FACTORIES.has(hook.name) || config === undefined) {
      problems.push({
        path: outDir,
        field: `hooks[${index}]`,
        message: `hook "${
          hook.name ?? index
        }" was not made by a registered hook factory, so it cannot be written as data; register a factory in HOOK_FACTORIES`,
      });
    }
    return { use: hook.name, config };
  });
  if (problems.length > 0) throw new BundleError(problems);

  const front: Record<string, unknown> = {
    name: agent.name,
    description: agent.description,
    ...(tags.length > 0 ? { tags: [...tags] } : {}),
    "max-steps": agent.maxSteps,
    ...(agent.doneTool !== "done" ? { "done-tool": agent.doneTool } : {}),
  };
  const files = new Map<string, string>();
  files.set("SKILL.md", `---\n${stringify(front).trimEnd()}\n---\n${agent.instructions}\n`);
  if (agent.basePrompt !== DEFAULT_SYSTEM_PROMPT) {
    files.set("prompts/system.md", `${agent.basePrompt}\n`);
  }
  for (const file of agent.memory) files.set(`memory/${file.name}`, `${file.text}\n`);
  if (hooks.length > 0) files.set("hooks/hooks.json", JSON.stringify({ hooks }, null, 2) + "\n");
  if (agent.mcpServers.length > 0) {
    files.set("mcp.json", JSON.stringify({ servers: agent.mcpServers }, null, 2) + "\n");
  }
  if (Object.keys(agent.metadata).length > 0) {
    files.set("state.json", JSON.stringify(agent.metadata, null, 2) + "\n");
  }
  return await writeFolderAtomically(outDir, files, async (temp) => {
    for (const origin of copies) {
      await cp(join(agent.runtime.bundleRoot, origin), join(temp, origin), { recursive: true });
    }
  });
}
