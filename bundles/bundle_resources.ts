import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { AnyTool } from "../loop/types.ts";
import { readFileTool } from "../tools/workspace/read_file_tool.ts";
import type { BundleFolder } from "./read_bundle_folder.ts";

/** Folder parts looplet itself reads; everything else in a skill is a resource. */
const LOOPLET_PARTS = new Set([
  "SKILL.md",
  "tools",
  "hooks",
  "memory",
  "prompts",
  "scripted.json",
  "mcp.json",
  ".git",
  ".looplet",
  "node_modules",
]);

async function walk(root: string, dir: string, out: string[], limit: number): Promise<void> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (out.length >= limit) return;
    if (dir === "" && LOOPLET_PARTS.has(entry.name)) continue;
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) await walk(root, rel, out, limit);
    else if (entry.isFile()) out.push(rel);
  }
}

/**
 * The resource files of a raw skill: a bundle with no entrypoint, tools,
 * hooks or MCP servers whose folder holds files besides SKILL.md (scripts,
 * references, templates). The model cannot read them unless it is given a
 * tool for it (`resourceTool`). Empty for every other bundle.
 *
 * @param folder The bundle's folder.
 * @param limit List at most this many. @default 200
 * @returns Paths relative to the bundle folder, sorted.
 * @example
 * ```ts ignore
 * const files = await skillResources((await loadBundle("skills/pdf")).folder);
 * if (files.length > 0) console.warn(`${files.length} resource files the model cannot read`);
 * ```
 */
export async function skillResources(folder: BundleFolder, limit = 200): Promise<string[]> {
  const raw = folder.entrypoint === undefined && folder.tools.length === 0 &&
    folder.hooks.length === 0 && folder.mcpServers.length === 0;
  if (!raw) return [];
  const out: string[] = [];
  await walk(folder.root, "", out, limit);
  return out;
}

/**
 * A read-only `read_resource` tool serving a skill's own files (paths
 * relative to the skill folder, confined to it).
 *
 * @param root The skill folder.
 * @returns The tool.
 * @example
 * ```ts ignore
 * const tools = [...agent.tools, resourceTool(bundle.folder.root)];
 * ```
 */
export function resourceTool(root: string): AnyTool {
  return Object.freeze({
    ...readFileTool(root),
    name: "read_resource",
    description:
      "Read one of the skill's own files (scripts, references, templates) by its path relative to the skill folder; read-only.",
  });
}
