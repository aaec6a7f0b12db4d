import { main } from "../../cli/main.ts";
import type { CliDependencies } from "../../cli/main.ts";

export const REPO = new URL("../../", import.meta.url).pathname;
export const CODER = `${REPO}examples/skills/coder`;
export const DEP_AUDIT = `${REPO}examples/skills/dep_audit`;
export const SAMPLE = `${REPO}examples/sample_project`;
/** The project's own skill folders (tests/fixtures/skills/), one per Agent Skills layout. */
export const SKILLS = new URL("../fixtures/skills/", import.meta.url).pathname;

/** Run the CLI through main() and capture its output. */
export async function cli(
  args: string[],
  deps: CliDependencies = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    env: {},
    ...deps,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Make a temporary folder holding these files. */
export async function tempFolder(files: Record<string, string> = {}): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "looplet-test-" });
  for (const [path, content] of Object.entries(files)) {
    const full = `${root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, content);
  }
  return root;
}

export function skillMd(front: string, body = "Do the task."): string {
  return `---\n${front}\n---\n${body}\n`;
}

/** Every file under a folder, relative, sorted. */
export async function listTree(root: string, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${dir}`)) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await listTree(root, rel));
    else out.push(rel);
  }
  return out.sort();
}
