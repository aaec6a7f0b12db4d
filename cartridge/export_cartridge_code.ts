import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import type { EmbeddedFile } from "../bundles/materialize_bundle.ts";
import {
  exportBundleCode,
  type ExportBundleCodeOptions,
  type ExportedCode,
} from "../bundles/export_bundle_code.ts";
import { readCartridge } from "./read_cartridge.ts";
import { cartridgeBlueprint } from "./cartridge_blueprint.ts";
import { isCartridgeFolder } from "./load_agent.ts";

const SKIP = new Set([
  "__pycache__",
  ".git",
  ".venv",
  "node_modules",
  ".pytest_cache",
  ".mypy_cache",
]);
const MAX_BYTES = 20_000_000;

async function collect(
  root: string,
  dir: string,
  out: Record<string, EmbeddedFile>,
  size: { n: number },
) {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) await collect(root, rel, out, size);
    } else if (entry.isFile() && !entry.name.endsWith(".pyc")) {
      const bytes = await readFile(join(root, rel));
      size.n += bytes.length;
      if (size.n > MAX_BYTES) {
        throw new Error(
          `Cannot export "${root}": it is larger than 20 MB; move large data out of the cartridge`,
        );
      }
      let binary = "";
      for (let index = 0; index < bytes.length; index += 0x8000) {
        binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
      }
      out[rel] = bytes.includes(0) ? { base64: btoa(binary) } : new TextDecoder().decode(bytes);
    }
  }
}

function commonRoot(paths: readonly string[]): string {
  let base = paths[0] ?? sep;
  while (
    !paths.every((path) => path === base || path.startsWith(base.endsWith(sep) ? base : base + sep))
  ) {
    base = dirname(base);
  }
  return base;
}

/**
 * Write embedded cartridge files (the leaf and its `extends:` ancestors, by
 * path relative to their common folder) into a fresh temporary folder.
 *
 * @param files The files.
 * @param leaf The leaf cartridge's folder, relative to the common folder.
 * @returns The leaf cartridge's absolute folder.
 * @throws {TypeError} When a path leaves the folder.
 * @example Write embedded files to a folder
 * ```ts ignore
 * const root = await materializeCartridge({ "hello/cartridge.json": '{"name":"hello","schema_version":2}' }, "hello");
 * ```
 */
export async function materializeCartridge(
  files: Readonly<Record<string, EmbeddedFile>>,
  leaf: string,
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "looplet-cartridge-"));
  for (const [path, content] of Object.entries(files)) {
    const clean = normalize(path);
    if (isAbsolute(clean) || clean.startsWith("..")) {
      throw new TypeError(`materializeCartridge: file path "${path}" leaves the cartridge folder`);
    }
    await mkdir(dirname(join(root, clean)), { recursive: true });
    await writeFile(
      join(root, clean),
      typeof content === "string"
        ? content
        : Uint8Array.from(atob(content.base64), (char) => char.charCodeAt(0)),
    );
  }
  return join(root, leaf);
}

/**
 * Write a standalone TypeScript program that runs a cartridge: its files
 * (and those of its `extends:` ancestors) are embedded, and the program
 * needs only the looplet library. Run it with
 * `deno run -A out.ts "<task>" [--scripted]`, or print its blueprint with
 * `--blueprint`.
 *
 * @param root The cartridge folder.
 * @param outFile The `.ts` file to create (must not exist, nor be inside the cartridge).
 * @param options Where the program imports looplet from.
 * @returns The path and blueprint fingerprint.
 * @throws {Error} When the output path is refused.
 * @example Export a cartridge as a program
 * ```ts ignore
 * await exportCartridgeCode("hello.cartridge", "hello_agent.ts");
 * ```
 */
export async function exportCartridgeCode(
  root: string,
  outFile: string,
  options: ExportBundleCodeOptions = {},
): Promise<ExportedCode> {
  const { library = "jsr:@looplet/looplet" } = options;
  if (!outFile.endsWith(".ts")) {
    throw new Error(`Cannot export to "${outFile}": it must end in .ts`);
  }
  if (await stat(outFile).then(() => true, () => false)) {
    throw new Error(`Cannot export to "${outFile}": it already exists; pick a new file`);
  }
  const definition = await readCartridge(root);
  const base = commonRoot(definition.chain);
  for (const layer of definition.chain) {
    const rel = relative(layer, resolve(outFile));
    if (!rel.startsWith("..") && !isAbsolute(rel)) {
      throw new Error(
        `Cannot export to "${outFile}": it is inside the cartridge; write it elsewhere`,
      );
    }
  }
  const files: Record<string, EmbeddedFile> = {};
  const size = { n: 0 };
  for (const layer of definition.chain) await collect(base, relative(base, layer), files, size);
  const blueprint = await cartridgeBlueprint(root);
  const isPath = library.startsWith(".") || isAbsolute(library) || library.startsWith("file:");
  const prefix = isPath
    ? (library.startsWith("file:") ? library : new URL(`file://${resolve(library)}/`).href).replace(
      /\/?$/,
      "/",
    )
    : `${library}/`;
  const cartridgeModule = isPath ? `${prefix}cartridge/mod.ts` : `${prefix}cartridge`;
  const cliModule = isPath ? `${prefix}cli/mod.ts` : `${prefix}cli`;
  const leaf = relative(base, definition.root) || ".";
  const program = `// Generated by \`looplet export-code\` from ${JSON.stringify(root)}.
// A standalone program: the cartridge's files are embedded below, so it needs
// only the looplet library. It builds the agent with blueprint fingerprint
// ${blueprint.fingerprint}.
//
//   deno run -A ${outFile.split("/").at(-1)} "<task>" [--scripted] [--workspace DIR]
//   deno run -A ${outFile.split("/").at(-1)} --blueprint
import { materializeCartridge } from ${JSON.stringify(cartridgeModule)};

/** Fingerprint of the blueprint this program builds. */
export const FINGERPRINT = ${JSON.stringify(blueprint.fingerprint)};

/** The cartridge's files, by path relative to their common folder. */
export const FILES: Readonly<Record<string, string | { readonly base64: string }>> = ${
    JSON.stringify(files, null, 2)
  };

if (import.meta.main) {
  const { main } = await import(${JSON.stringify(cliModule)});
  const root = await materializeCartridge(FILES, ${JSON.stringify(leaf)});
  const args = Deno.args;
  Deno.exit(
    args[0] === "--blueprint"
      ? await main(["blueprint", root, ...args.slice(1)])
      : await main(["run", root, ...args]),
  );
}
`;
  await writeFile(outFile, program, { flag: "wx" });
  return { path: outFile, fingerprint: blueprint.fingerprint };
}

/**
 * `export-code` for a cartridge or a bundle, whichever the folder holds.
 *
 * @param root The folder.
 * @param outFile The `.ts` file to create.
 * @param options Where the program imports looplet from.
 * @returns The path and blueprint fingerprint.
 * @example Export any agent folder as a program
 * ```ts ignore
 * await exportAgentCode("hello.cartridge", "hello_agent.ts");
 * ```
 */
export async function exportAgentCode(
  root: string,
  outFile: string,
  options: ExportBundleCodeOptions = {},
): Promise<ExportedCode> {
  if (await isCartridgeFolder(root)) return await exportCartridgeCode(root, outFile, options);
  return await exportBundleCode(root, outFile, options);
}
