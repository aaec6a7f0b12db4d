import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { BundleError } from "./bundle_error.ts";

function hex(): string {
  return [...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Refuse an output path that exists, or whose parent folder does not. */
export async function assertFreeOutput(path: string, field: string): Promise<void> {
  if (await stat(path).then(() => true, () => false)) {
    throw new BundleError([{
      path,
      field,
      message: "already exists; choose a new path or remove it first (nothing was written)",
    }]);
  }
  const parent = dirname(resolve(path));
  if (!(await stat(parent).then((info) => info.isDirectory(), () => false))) {
    throw new BundleError([{
      path,
      field,
      message: `its parent folder "${dirname(path)}" does not exist; create it first`,
    }]);
  }
}

/**
 * Write a folder of files atomically: into a hidden sibling first, then one
 * rename. On any failure the sibling is removed and nothing is left behind.
 * `fill` may also copy into the temporary folder it is given; `verify` may
 * check the finished folder before it is renamed into place.
 */
export async function writeFolderAtomically(
  outDir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  fill?: (tempDir: string) => Promise<void>,
  verify?: (tempDir: string) => Promise<void>,
): Promise<string> {
  await assertFreeOutput(outDir, "out-dir");
  const target = resolve(outDir);
  const temp = join(dirname(target), `.${basename(target)}.tmp-${hex()}`);
  try {
    await mkdir(temp);
    if (fill) await fill(temp);
    for (const [relative, content] of files) {
      const file = join(temp, relative);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    if (verify) await verify(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return outDir;
}

/** Write one file atomically (temporary sibling, then rename); refuses an existing path. */
export async function writeFileAtomically(path: string, content: string): Promise<string> {
  await assertFreeOutput(path, "out-file");
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.tmp-${hex()}`);
  try {
    await writeFile(temp, content);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return path;
}
