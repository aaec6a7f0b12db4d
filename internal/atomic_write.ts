/**
 * Atomic file and folder writes (through a hidden temporary sibling and one
 * rename, so readers never see half a file).
 */

import { renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/** A hidden sibling of `path` that ends in `.tmp`, unique to this call. */
function tempSibling(path: string): string {
  const target = resolve(path);
  const random = [...crypto.getRandomValues(new Uint8Array(6))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return join(dirname(target), `.${basename(target)}.${random}.tmp`);
}

/**
 * Write `content` to `path` through a temporary sibling and a rename. On
 * failure the sibling is removed and the error is rethrown as it came.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = tempSibling(path);
  try {
    await writeFile(temp, content);
    await rename(temp, resolve(path));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `writeFileAtomic`, done before it returns (for writers that must not wait). */
export function writeFileAtomicSync(path: string, content: string | Uint8Array): void {
  const temp = tempSibling(path);
  try {
    writeFileSync(temp, content);
    renameSync(temp, resolve(path));
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Options of `writeFolderAtomic`. */
export interface WriteFolderAtomicOptions {
  /** Fill the temporary folder (e.g. copy into it) before `files` are written. */
  readonly fill?: (tempDir: string) => Promise<void>;
  /** Check the finished temporary folder before it is renamed into place. */
  readonly verify?: (tempDir: string) => Promise<void>;
}

/**
 * Write a folder of files (paths relative to it) into a temporary sibling,
 * then rename it to `dir`. On any failure the sibling is removed, nothing is
 * left behind, and the error is rethrown as it came.
 */
export async function writeFolderAtomic(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  options: WriteFolderAtomicOptions = {},
): Promise<void> {
  const { fill, verify } = options;
  const temp = tempSibling(dir);
  try {
    await mkdir(temp);
    if (fill) await fill(temp);
    for (const [relative, content] of files) {
      const file = join(temp, relative);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    if (verify) await verify(temp);
    await rename(temp, resolve(dir));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Write a trace file atomically; a failure names the file. */
export async function atomicWrite(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    throw new Error(
      `Cannot write trace file "${path}": ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
}
