import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BundleError } from "./bundle_error.ts";
import { bundleBlueprint } from "./bundle_blueprint.ts";
import type { EmbeddedFile } from "./materialize_bundle.ts";
import { readBundleFolder } from "./read_bundle_folder.ts";
import { writeFileAtomically } from "./_atomic_write.ts";

/**
 * Options of `exportBundleCode`.
 *
 * @example Import looplet from a local checkout
 * ```ts ignore
 * await exportBundleCode("examples/skills/coder", "coder_agent.ts", { library: "../looplet" });
 * ```
 */
export interface ExportBundleCodeOptions {
  /**
   * Where the program imports looplet from: a package specifier (its
   * `/bundles` and `/cli` entries are used) or a path/URL of a looplet checkout.
   * @default "jsr:@looplet/looplet"
   */
  readonly library?: string;
}

/**
 * What `exportBundleCode` returns.
 *
 * @example Check the exported program builds the same agent
 * ```ts ignore
 * const { path, fingerprint } = await exportBundleCode("examples/skills/coder", "coder_agent.ts");
 * const blueprint = await bundleBlueprint("examples/skills/coder");
 * console.log(path, fingerprint === blueprint.fingerprint); // true
 * ```
 */
export interface ExportedCode {
  /** The file written. */
  readonly path: string;
  /** Fingerprint of the blueprint the program builds. */
  readonly fingerprint: string;
}

const SKIP = new Set([".git", "node_modules", ".looplet"]);
const MAX_BYTES = 5_000_000;

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
    } else if (entry.isFile()) {
      const bytes = await readFile(join(root, rel));
      size.n += bytes.length;
      if (size.n > MAX_BYTES) {
        throw new BundleError([{
          path: root,
          message: `is larger than ${
            MAX_BYTES / 1_000_000
          } MB; export-code embeds every file, so move large data out of the bundle`,
        }]);
      }
      out[rel] = bytes.includes(0) ? { base64: toBase64(bytes) } : new TextDecoder().decode(bytes);
    }
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

function librarySpecifiers(library: string): { bundles: string; cli: string } {
  const isPath = library.startsWith(".") || isAbsolute(library) || library.startsWith("file:");
  if (!isPath) return { bundles: `${library}/bundles`, cli: `${library}/cli` };
  const base = library.startsWith("file:") ? library : pathToFileURL(resolve(library)).href;
  const root = base.endsWith("/") ? base : `${base}/`;
  return { bundles: `${root}bundles/mod.ts`, cli: `${root}cli/mod.ts` };
}

/**
 * Write a standalone TypeScript program that builds the same agent as a
 * bundle, without needing the bundle folder: the bundle's files are embedded
 * and the program needs only the looplet library. Run it with
 * `deno run -A out.ts "<task>" [--scripted]`, or print its blueprint with
 * `deno run -A out.ts --blueprint`; the blueprint equals the bundle's.
 *
 * @param root The bundle folder.
 * @param outFile The `.ts` file to create (must not exist, nor be inside the bundle).
 * @param options Where the program imports looplet from.
 * @returns The path and blueprint fingerprint.
 * @throws {BundleError} When the bundle is invalid or the output path is refused.
 * @example
 * ```ts ignore
 * await exportBundleCode("examples/skills/coder", "coder_agent.ts");
 * ```
 */
export async function exportBundleCode(
  root: string,
  outFile: string,
  options: ExportBundleCodeOptions = {},
): Promise<ExportedCode> {
  const { library = "jsr:@looplet/looplet" } = options;
  if (!outFile.endsWith(".ts")) {
    throw new BundleError([{
      path: outFile,
      field: "out-file",
      message: "must end in .ts (the program is TypeScript)",
    }]);
  }
  const { folder, problems } = await readBundleFolder(root);
  if (!folder) throw new BundleError(problems);
  const rel = relative(folder.root, resolve(outFile));
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
    throw new BundleError([{
      path: outFile,
      field: "out-file",
      message: "is inside the bundle folder; write the program outside the bundle",
    }]);
  }
  const blueprint = await bundleBlueprint(root);
  const files: Record<string, EmbeddedFile> = {};
  await collect(folder.root, "", files, { n: 0 });
  const { bundles, cli } = librarySpecifiers(library);
  const program = `// Generated by \`looplet export-code\` from ${JSON.stringify(root)}.
// A standalone program: the bundle's files are embedded below, so it needs
// only the looplet library. It builds the agent with blueprint fingerprint
// ${blueprint.fingerprint}.
//
//   deno run -A ${outFile.split("/").at(-1)} "<task>" [--scripted] [--workspace DIR]
//   deno run -A ${outFile.split("/").at(-1)} --blueprint
import process from "node:process";
import { type EmbeddedFile, type LoadedBundle, materializeBundle } from ${JSON.stringify(bundles)};

/** Fingerprint of the blueprint this program builds. */
export const FINGERPRINT = ${JSON.stringify(blueprint.fingerprint)};

/** The bundle's files, by path relative to the bundle folder. */
export const FILES: Readonly<Record<string, EmbeddedFile>> = ${JSON.stringify(files, null, 2)};

/** Write the embedded bundle to a temporary folder and load it. */
export function loadAgentBundle(): Promise<LoadedBundle> {
  return materializeBundle(FILES);
}

if (import.meta.main) {
  const { main } = await import(${JSON.stringify(cli)});
  const root = (await loadAgentBundle()).folder.root;
  const args = process.argv.slice(2);
  process.exit(
    args[0] === "--blueprint"
      ? await main(["blueprint", root, ...args.slice(1)])
      : await main(["run", root, ...args]),
  );
}
`;
  await writeFileAtomically(outFile, program);
  return { path: outFile, fingerprint: blueprint.fingerprint };
}
