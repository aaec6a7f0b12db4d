import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import { pythonEntrypoint, pythonEntrypointMessage } from "./_python_entrypoint.ts";
import { readSkillMd, type SkillDocument } from "../skills/skill_md.ts";
import type { BundleProblem } from "./bundle_error.ts";
import { bundleNameProblem } from "./bundle_name.ts";
import {
  BundleFrontMatter,
  checkInputSchema,
  HooksFileSchema,
  type HookSpec,
  McpFileSchema,
  type McpServerSpec,
  ScriptedFileSchema,
  type ToolManifest,
  ToolManifestSchema,
  zodProblems,
} from "./bundle_manifest.ts";

/**
 * A declarative tool found in `tools/<name>/`.
 *
 * @example List a bundle's declarative tools
 * ```ts ignore
 * const { folder } = await readBundleFolder("examples/skills/dep_audit");
 * for (const { manifest, dir, manifestPath } of folder?.tools ?? []) {
 *   console.log(manifest.name, manifest.command ?? manifest.module, dir, manifestPath);
 * }
 * ```
 */
export interface ToolEntry {
  /** The validated manifest. */
  readonly manifest: ToolManifest;
  /** Absolute path of the tool folder. */
  readonly dir: string;
  /** Path of `tool.json`, as shown in messages. */
  readonly manifestPath: string;
}

/**
 * Everything a bundle folder declares, read and validated but not imported.
 *
 * @example Read what a folder declares without importing it
 * ```ts ignore
 * const { folder } = await readBundleFolder("examples/skills/coder");
 * if (folder) {
 *   console.log(folder.skill.name, folder.entrypoint?.relative ?? "(declarative)", folder.tags);
 *   console.log(folder.hooks.map((hook) => hook.use), folder.mcpServers.map((server) => server.name));
 * }
 * ```
 */
export interface BundleFolder {
  /** The folder as given, for messages. */
  readonly displayRoot: string;
  /** Its absolute real path. */
  readonly root: string;
  /** The parsed SKILL.md. */
  readonly skill: SkillDocument;
  /** Tags from the front matter. */
  readonly tags: readonly string[];
  /** The entrypoint, when there is one: absolute path and path relative to the bundle. */
  readonly entrypoint?: { readonly path: string; readonly relative: string };
  /** `prompts/system.md`, when present. */
  readonly systemPrompt?: string;
  /** `memory/*.md`, sorted by name. */
  readonly memory: readonly { readonly name: string; readonly text: string }[];
  /** Declarative tools, sorted by folder name. */
  readonly tools: readonly ToolEntry[];
  /** Hooks from `hooks/hooks.json`. */
  readonly hooks: readonly HookSpec[];
  /** MCP servers from `mcp.json`. */
  readonly mcpServers: readonly McpServerSpec[];
  /** Replies from `scripted.json`, for `--scripted`. */
  readonly scripted?: readonly unknown[];
  /** Initial run metadata from `state.json`. */
  readonly state?: Record<string, unknown>;
  /** `max-steps` from the front matter. */
  readonly maxSteps?: number;
  /** `done-tool` from the front matter. */
  readonly doneTool?: string;
  /** `network` from the front matter: command tools keep the network in the sandbox. */
  readonly network?: boolean;
  /** `pass-env` from the front matter: variables command tools get, named one by one. */
  readonly passEnv?: readonly string[];
}

/**
 * What `readBundleFolder` returns: the folder when valid, and every problem.
 *
 * @example Report every problem of a folder
 * ```ts ignore
 * const { folder, problems, warnings } = await readBundleFolder("skills/draft");
 * for (const problem of problems) console.error(formatBundleProblem(problem));
 * for (const warning of warnings) console.warn(warning);
 * if (folder) console.log(`${folder.skill.name} is valid`);
 * ```
 */
export interface BundleFolderResult {
  /** The folder, when there were no problems. */
  readonly folder?: BundleFolder;
  /** Every problem found. */
  readonly problems: readonly BundleProblem[];
  /** Non-fatal findings. */
  readonly warnings: readonly string[];
}

const DEFAULT_ENTRYPOINTS = ["looplet.ts", "looplet.js", "looplet.mjs"];

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

/**
 * A text file of the bundle, or undefined with a problem naming it: missing,
 * a folder, unreadable, or not UTF-8.
 */
async function readText(
  path: string,
  display: string,
  problems: BundleProblem[],
): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    problems.push({
      path: display,
      message: code === "EISDIR"
        ? "is a folder; it must be a file"
        : `cannot be read (${(error as Error).message}); check that it is a readable file`,
    });
    return undefined;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    problems.push({ path: display, message: "is not UTF-8 text; save it as UTF-8" });
    return undefined;
  }
}

async function readJson(
  path: string,
  display: string,
  problems: BundleProblem[],
): Promise<unknown> {
  const text = await readText(path, display, problems);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push({
      path: display,
      message: `is not valid JSON (${(error as Error).message}); fix the syntax`,
    });
    return undefined;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Read and validate a bundle folder without importing any of its code:
 * SKILL.md (with the bundle fields), the entrypoint's location, `tools/*`
 * manifests, `hooks/hooks.json`, `mcp.json`, `prompts/system.md`,
 * `memory/*.md` and `scripted.json`. Every problem is reported, with file
 * and field, not just the first.
 *
 * @param root The bundle folder, or its SKILL.md.
 * @returns The folder when valid, and the problems.
 * @example
 * ```ts ignore
 * const { folder, problems } = await readBundleFolder("examples/skills/coder");
 * ```
 */
export async function readBundleFolder(root: string): Promise<BundleFolderResult> {
  const problems: BundleProblem[] = [];
  const warnings: string[] = [];
  let displayRoot = root;
  const info = await stat(root).catch(() => undefined);
  if (info === undefined) {
    return {
      problems: [{ path: root, message: "does not exist; give the path of a bundle folder" }],
      warnings,
    };
  }
  if (info.isFile()) {
    if (basename(root) !== "SKILL.md") {
      return {
        problems: [{
          path: root,
          message: "is a file, not a bundle; give the bundle folder or its SKILL.md",
        }],
        warnings,
      };
    }
    displayRoot = join(root, "..");
  }
  const absoluteRoot = await realpath(resolve(displayRoot));
  const skillPath = join(displayRoot, "SKILL.md");
  const skillText = await readFile(join(absoluteRoot, "SKILL.md"), "utf8").catch(() => undefined);
  if (skillText === undefined) {
    return {
      problems: [{
        path: displayRoot,
        field: "SKILL.md",
        message:
          "has no SKILL.md; add one with 'name' and 'description' front matter, or run 'looplet new <dir>'",
      }],
      warnings,
    };
  }
  const read = readSkillMd(skillText, skillPath);
  problems.push(...read.problems);
  const skill = read.skill;
  if (skill) warnings.push(...skill.warnings);
  const nameProblem = skill ? bundleNameProblem(skill.name) : undefined;
  if (nameProblem !== undefined) {
    problems.push({ path: skillPath, field: "name", message: nameProblem });
  }
  const front = skill?.frontMatter ?? {};
  const bundleFields = BundleFrontMatter.safeParse(front);
  if (!bundleFields.success) problems.push(...zodProblems(skillPath, bundleFields.error));
  const fields = bundleFields.success ? bundleFields.data : {};
  const tags = typeof fields.tags === "string"
    ? fields.tags.split(",").map((tag) => tag.trim()).filter((tag) => tag !== "")
    : [...(fields.tags ?? [])];

  // Entrypoint: declared (must exist, inside) or a default file when present.
  let entrypoint: BundleFolder["entrypoint"];
  if (typeof fields.entrypoint === "string" && /\.py$/i.test(fields.entrypoint)) {
    problems.push({
      path: skillPath,
      field: "entrypoint",
      message: pythonEntrypointMessage(fields.entrypoint),
    });
  } else if (typeof fields.entrypoint === "string") {
    const target = resolve(absoluteRoot, fields.entrypoint);
    if (isAbsolute(fields.entrypoint) || !isInside(absoluteRoot, target)) {
      problems.push({
        path: skillPath,
        field: "entrypoint",
        message:
          `'entrypoint' "${fields.entrypoint}" is outside the bundle folder; move the module into the bundle and give a relative path such as looplet.ts`,
      });
    } else if (!(await exists(target))) {
      problems.push({
        path: skillPath,
        field: "entrypoint",
        message:
          `'entrypoint' "${fields.entrypoint}" does not exist; create it (exporting build(runtime)) or remove the field`,
      });
    } else if (!isInside(absoluteRoot, await realpath(target))) {
      problems.push({
        path: skillPath,
        field: "entrypoint",
        message:
          `'entrypoint' "${fields.entrypoint}" is a symlink to a file outside the bundle folder; copy the module into the bundle`,
      });
    } else {
      entrypoint = { path: await realpath(target), relative: fields.entrypoint };
    }
  } else {
    for (const candidate of DEFAULT_ENTRYPOINTS) {
      const target = join(absoluteRoot, candidate);
      if (await exists(target)) {
        entrypoint = { path: target, relative: candidate };
        break;
      }
    }
    const python = await pythonEntrypoint(absoluteRoot, undefined, entrypoint !== undefined);
    if (python !== undefined) {
      problems.push({
        path: skillPath,
        field: "entrypoint",
        message: pythonEntrypointMessage(python),
      });
    }
  }

  const systemPrompt = await exists(join(absoluteRoot, "prompts", "system.md"))
    ? await readText(
      join(absoluteRoot, "prompts", "system.md"),
      join(displayRoot, "prompts", "system.md"),
      problems,
    )
    : undefined;
  const memory: { name: string; text: string }[] = [];
  const memoryFiles = await readdir(join(absoluteRoot, "memory")).catch(() => [] as string[]);
  for (const name of memoryFiles.filter((file) => file.endsWith(".md")).sort()) {
    const text = await readText(
      join(absoluteRoot, "memory", name),
      join(displayRoot, "memory", name),
      problems,
    );
    if (text !== undefined) memory.push({ name, text });
  }

  const tools = await readTools(absoluteRoot, displayRoot, problems);
  const hooks = await readHooks(absoluteRoot, displayRoot, problems);
  const mcpServers = await readMcp(absoluteRoot, displayRoot, problems);
  let scripted: unknown[] | undefined;
  if (await exists(join(absoluteRoot, "scripted.json"))) {
    const display = join(displayRoot, "scripted.json");
    const data = await readJson(join(absoluteRoot, "scripted.json"), display, problems);
    if (data !== undefined) {
      const parsed = ScriptedFileSchema.safeParse(data);
      if (parsed.success) scripted = parsed.data;
      else problems.push(...zodProblems(display, parsed.error));
    }
  }
  let state: Record<string, unknown> | undefined;
  if (await exists(join(absoluteRoot, "state.json"))) {
    const display = join(displayRoot, "state.json");
    const data = await readJson(join(absoluteRoot, "state.json"), display, problems);
    if (data !== undefined) {
      if (typeof data === "object" && data !== null && !Array.isArray(data)) {
        state = data as Record<string, unknown>;
      } else {
        problems.push({
          path: display,
          message: "must hold a JSON object (the run's initial metadata)",
        });
      }
    }
  }
  if (problems.length > 0 || skill === undefined) return { problems, warnings };
  return {
    folder: {
      displayRoot,
      root: absoluteRoot,
      skill,
      tags,
      ...(entrypoint ? { entrypoint } : {}),
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      memory,
      tools,
      hooks,
      mcpServers,
      ...(scripted ? { scripted } : {}),
      ...(state ? { state } : {}),
      ...(fields["max-steps"] !== undefined ? { maxSteps: fields["max-steps"] } : {}),
      ...(fields["done-tool"] !== undefined ? { doneTool: fields["done-tool"] } : {}),
      ...(fields.network !== undefined ? { network: fields.network } : {}),
      ...(fields["pass-env"] !== undefined ? { passEnv: fields["pass-env"] } : {}),
    },
    problems,
    warnings,
  };
}

async function readTools(
  root: string,
  displayRoot: string,
  problems: BundleProblem[],
): Promise<ToolEntry[]> {
  const entries = await readdir(join(root, "tools"), { withFileTypes: true }).catch(() => []);
  const tools: ToolEntry[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, "tools", entry.name);
    const manifestPath = join(displayRoot, "tools", entry.name, "tool.json");
    if (!(await exists(join(dir, "tool.json")))) {
      problems.push({
        path: manifestPath,
        message:
          "is missing; every tools/<name>/ folder needs a tool.json with name, description, input_schema and command or module",
      });
      continue;
    }
    const data = await readJson(join(dir, "tool.json"), manifestPath, problems);
    if (data === undefined) continue;
    const parsed = ToolManifestSchema.safeParse(data);
    if (!parsed.success) {
      problems.push(...zodProblems(manifestPath, parsed.error));
      continue;
    }
    const manifest = parsed.data;
    let ok = true;
    if (manifest.name !== entry.name) {
      problems.push({
        path: manifestPath,
        field: "name",
        message:
          `'name' "${manifest.name}" differs from its folder "tools/${entry.name}"; rename one so they match`,
      });
      ok = false;
    }
    for (const message of checkInputSchema(manifest.input_schema)) {
      problems.push({ path: manifestPath, field: "input_schema", message });
      ok = false;
    }
    if (ok) {
      try {
        z.fromJSONSchema(manifest.input_schema as Parameters<typeof z.fromJSONSchema>[0]);
      } catch (error) {
        problems.push({
          path: manifestPath,
          field: "input_schema",
          message: `is not a usable JSON Schema: ${(error as Error).message}`,
        });
        ok = false;
      }
    }
    if (manifest.module !== undefined) {
      const target = resolve(dir, manifest.module);
      if (!isInside(dir, target) || !(await exists(target))) {
        problems.push({
          path: manifestPath,
          field: "module",
          message:
            `'module' "${manifest.module}" must be a file inside tools/${entry.name}/ that exports execute(args, ctx)`,
        });
        ok = false;
      }
    }
    if (ok) tools.push({ manifest, dir, manifestPath });
  }
  return tools;
}

async function readHooks(
  root: string,
  displayRoot: string,
  problems: BundleProblem[],
): Promise<HookSpec[]> {
  const path = join(root, "hooks", "hooks.json");
  if (!(await exists(path))) return [];
  const display = join(displayRoot, "hooks", "hooks.json");
  const data = await readJson(path, display, problems);
  if (data === undefined) return [];
  const parsed = HooksFileSchema.safeParse(data);
  if (!parsed.success) {
    problems.push(...zodProblems(display, parsed.error));
    return [];
  }
  return parsed.data.hooks;
}

async function readMcp(
  root: string,
  displayRoot: string,
  problems: BundleProblem[],
): Promise<McpServerSpec[]> {
  const path = join(root, "mcp.json");
  if (!(await exists(path))) return [];
  const display = join(displayRoot, "mcp.json");
  const data = await readJson(path, display, problems);
  if (data === undefined) return [];
  const parsed = McpFileSchema.safeParse(data);
  if (!parsed.success) {
    problems.push(...zodProblems(display, parsed.error));
    return [];
  }
  const names = new Set<string>();
  parsed.data.servers.forEach((server, index) => {
    if (names.has(server.name)) {
      problems.push({
        path: display,
        field: `servers[${index}].name`,
        message: `server name "${server.name}" is used twice; give each server its own name`,
      });
    }
    names.add(server.name);
  });
  return parsed.data.servers;
}

/** True when a path is a symlink (used to refuse copying links out of a bundle). */
export async function isSymlink(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isSymbolicLink() ?? false;
}
