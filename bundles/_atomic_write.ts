/** Bundle outputs written atomically, refusing a path that exists (BundleError wording). */

import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { writeFileAtomic, writeFolderAtomic } from "../internal/atomic_write.ts";
import { BundleError } from "./bundle_error.ts";

/** Refuse an output path that exists, or whose parent folder does not. */
async function assertFreeOutput(path: string, field: string): Promise<void> {
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
 * Write a new folder of files atomically (see `writeFolderAtomic`); refuses
 * an existing path. `fill` may copy into the temporary folder it is given;
 * `verify` may check the finished folder before it is renamed into place.
 */
export async function writeFolderAtomically(
  outDir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  fill?: (tempDir: string) => Promise<void>,
  verify?: (tempDir: string) => Promise<void>,
): Promise<string> {
  await assertFreeOutput(outDir, "out-dir");
  await writeFolderAtomic(outDir, files, {
    ...(fill ? { fill } : {}),
    ...(verify ? { verify } : {}),
  });
  return outDir;
}

/** Write one new file atomically; refuses an existing path. */
export async function writeFileAtomically(path: string, content: string): Promise<string> {
  await assertFreeOutput(path, "out-file");
  await writeFileAtomic(path, content);
  return path;
}
