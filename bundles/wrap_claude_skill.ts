import { cp, readdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { readSkillMd } from "../skills/skill_md.ts";
import { BundleError } from "./bundle_error.ts";
import { writeFolderAtomically } from "./_atomic_write.ts";

/**
 * How well a Claude/Agent Skills folder runs as a looplet bundle.
 *
 * @example Decide what to do with a skill
 * ```ts ignore
 * const { compatibility, gaps } = await claudeSkillCompatibility("skills/pdf");
 * if (compatibility === "instruction-only" || compatibility === "looplet-bundle") console.log("runs as-is");
 * else console.log(`needs adapting (${compatibility}):\n${gaps.join("\n")}`);
 * ```
 */
export type SkillCompatibility =
  | "looplet-bundle"
  | "instruction-only"
  | "resources-present"
  | "scripts-present";

/**
 * What `wrapClaudeSkill` returns.
 *
 * @example Report the gaps of a wrapped skill
 * ```ts ignore
 * const { path, compatibility, gaps } = await wrapClaudeSkill("skills/brand-guidelines", "bundles/brand");
 * console.log(`${path}: ${compatibility}`);
 * for (const gap of gaps) console.log(`- ${gap}`);
 * ```
 */
export interface WrappedSkill {
  /** The folder written. */
  readonly path: string;
  /** The compatibility level. */
  readonly compatibility: SkillCompatibility;
  /** Adapter gaps: what does not run as-is, and what to do about it. */
  readonly gaps: readonly string[];
}

const SCRIPT_EXTENSIONS = /\.(py|sh|js|mjs|cjs|ts|rb|pl|bash)$/;

async function listFiles(root: string, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...await listFiles(root, rel));
    else out.push(rel);
  }
  return out.sort();
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Assess a Claude/Agent Skills folder: `instruction-only` skills run as-is
 * (the instructions become the system prompt); scripts and resource files
 * are copied but not exposed, and are reported as adapter gaps.
 *
 * @param skillDir The skill folder.
 * @returns The level and the gaps.
 * @throws {BundleError} When the folder has no valid SKILL.md.
 * @example
 * ```ts ignore
 * const { compatibility, gaps } = await claudeSkillCompatibility("skills/pdf");
 * ```
 */
export async function claudeSkillCompatibility(
  skillDir: string,
): Promise<{ compatibility: SkillCompatibility; gaps: string[] }> {
  const skillPath = join(skillDir, "SKILL.md");
  const text = await readFile(skillPath, "utf8").catch(() => undefined);
  if (text === undefined) {
    throw new BundleError([{
      path: skillDir,
      field: "SKILL.md",
      message: "has no SKILL.md; give the folder of a Claude skill",
    }]);
  }
  const { skill, problems } = readSkillMd(text, skillPath);
  if (!skill) throw new BundleError(problems);
  if (typeof skill.frontMatter.entrypoint === "string") {
    return { compatibility: "looplet-bundle", gaps: [] };
  }
  const files = (await listFiles(skillDir)).filter((file) => file !== "SKILL.md");
  const scripts = files.filter((file) =>
    file.startsWith("scripts/") || SCRIPT_EXTENSIONS.test(file)
  );
  const resources = files.filter((file) => !scripts.includes(file) && !/^LICEN[SC]E/i.test(file));
  const gaps: string[] = [];
  for (const script of scripts) {
    const name = script.split("/").at(-1)!.replace(/\.[^.]+$/, "").replace(/[^a-zA-Z0-9_-]/g, "_");
    gaps.push(
      `${script} is copied but not exposed as a tool; to let the model run it, add tools/${name}/tool.json with "command": [<interpreter>, "\${TOOL_DIR}/../../${script}"] and an input_schema`,
    );
  }
  if (resources.length > 0) {
    gaps.push(
      `${resources.length} resource file(s) (${resources.slice(0, 3).join(", ")}${
        resources.length > 3 ? ", …" : ""
      }) are copied but the model cannot open them; add a read tool (e.g. a tools/read_resource module) or inline what matters into SKILL.md`,
    );
  }
  return {
    compatibility: scripts.length > 0
      ? "scripts-present"
      : resources.length > 0
      ? "resources-present"
      : "instruction-only",
    gaps,
  };
}

/**
 * Wrap a Claude/Agent Skills folder as a looplet bundle: copy the whole
 * tree, keep the original front matter, and add `source_format` and
 * `compatibility`. Written atomically; the output must be a new folder
 * outside the skill.
 *
 * @param skillDir The skill folder.
 * @param outDir The bundle folder to create.
 * @returns The folder, compatibility level and adapter gaps.
 * @throws {BundleError} When the skill is invalid or the output is refused.
 * @example
 * ```ts ignore
 * const { compatibility, gaps } = await wrapClaudeSkill("skills/brand-guidelines", "bundles/brand");
 * ```
 */
export async function wrapClaudeSkill(skillDir: string, outDir: string): Promise<WrappedSkill> {
  if (!(await stat(skillDir).then((info) => info.isDirectory(), () => false))) {
    throw new BundleError([{ path: skillDir, message: "is not a folder; give a skill folder" }]);
  }
  const source = await realpath(skillDir);
  const target = resolve(outDir);
  if (target === source) {
    throw new BundleError([{
      path: outDir,
      field: "out-dir",
      message:
        "is the skill folder itself; give a new folder outside the skill (nothing was written)",
    }]);
  }
  if (inside(source, target)) {
    throw new BundleError([{
      path: outDir,
      field: "out-dir",
      message:
        `is inside the skill folder "${skillDir}"; give a folder outside it (nothing was written)`,
    }]);
  }
  if (inside(target, source)) {
    throw new BundleError([{
      path: outDir,
      field: "out-dir",
      message:
        `contains the skill folder "${skillDir}"; give a new folder elsewhere (nothing was written)`,
    }]);
  }
  const { compatibility, gaps } = await claudeSkillCompatibility(skillDir);
  const text = await readFile(join(source, "SKILL.md"), "utf8");
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
  const front = lines.slice(1, close);
  const added = [
    ...(front.some((line) => line.startsWith("source_format:"))
      ? []
      : ["source_format: claude-skill"]),
    ...(front.some((line) => line.startsWith("compatibility:"))
      ? []
      : [`compatibility: ${compatibility}`]),
  ];
  const rewritten = [lines[0], ...front, ...added, ...lines.slice(close)].join("\n");
  await writeFolderAtomically(outDir, new Map(), async (temp) => {
    await cp(source, temp, { recursive: true });
    await writeFile(join(temp, "SKILL.md"), rewritten);
  });
  return { path: outDir, compatibility, gaps };
}
