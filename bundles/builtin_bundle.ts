import { kind } from "./_light_fs.ts";

const EXAMPLES = new URL("../examples/skills/", import.meta.url);

/** Folder names of the shipped bundles for a bare name (`dep-audit` is `dep_audit`). */
function folderNames(argument: string): string[] {
  return [...new Set([argument, argument.replace(/-/g, "_")])];
}

/** A stable hash of a bundle's files, naming its cache folder. */
async function contentHash(files: Readonly<Record<string, string>>): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(Object.entries(files)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.slice(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Write an embedded shipped bundle once to `<tmp>/looplet-shipped-<hash>/<name>`
 * and reuse it: the folder is a cache named by the content, so every run of
 * the same looplet version loads the same files and none is left per run.
 */
async function shippedFolder(name: string, files: Readonly<Record<string, string>>) {
  const { mkdir, mkdtemp, rename, rm, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { dirname, join } = await import("node:path");
  const cache = join(tmpdir(), `looplet-shipped-${await contentHash(files)}`);
  const target = join(cache, name);
  if (await kind(join(target, "SKILL.md")) === "file") return target;
  await mkdir(cache, { recursive: true });
  const staging = await mkdtemp(join(cache, `.${name}-`));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(staging, path)), { recursive: true });
    await writeFile(join(staging, path), text);
  }
  try {
    await rename(staging, target);
  } catch {
    await rm(staging, { recursive: true, force: true }); // another process wrote it first
  }
  return target;
}

/**
 * Resolve a bundle argument: a path that exists is used as given; otherwise
 * a bare name such as `coder` or `dep-audit` names one of the example bundles
 * shipped with looplet: the checkout's `examples/skills/<name>` when it is
 * there, else the copy embedded in the library (the published package, the
 * single-file build and compiled binaries), written once to a cache folder.
 *
 * @param argument The bundle argument as typed.
 * @returns The path to load.
 * @example
 * ```ts ignore
 * await resolveBundleArgument("coder"); // ".../examples/skills/coder" when ./coder does not exist
 * ```
 */
export async function resolveBundleArgument(argument: string): Promise<string> {
  if (await kind(argument) !== undefined) return argument;
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(argument)) return argument;
  if (EXAMPLES.protocol === "file:") {
    for (const name of folderNames(argument)) {
      const candidate = decodeURIComponent(new URL(`${name}/`, EXAMPLES).pathname).replace(
        /\/$/,
        "",
      );
      if (await kind(`${candidate}/SKILL.md`) === "file") return candidate;
    }
  }
  const { SHIPPED_BUNDLES } = await import("./_shipped_bundles.ts");
  for (const name of folderNames(argument)) {
    const files = Object.hasOwn(SHIPPED_BUNDLES, name) ? SHIPPED_BUNDLES[name] : undefined;
    if (files !== undefined) return await shippedFolder(name, files);
  }
  return argument;
}
