import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BundleError } from "./bundle_error.ts";
import { bundleBlueprint } from "./bundle_blueprint.ts";
import { embedFiles, libraryModules } from "./embed_files.ts";
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

const CODE = /\.(ts|tsx|js|mjs|mts|jsx)$/;
const MAX_IMPORTED = 100;

/** The value imports of a module: static `import`/`export … from`, `import("…")`; not `import type`. */
function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const statement =
    /(?:^|[;\n])\s*(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s*)?["']([^"'\n]+)["']/g;
  for (const [, , type, specifier] of source.matchAll(statement)) {
    if (!type && specifier) found.push(specifier);
  }
  for (const [, specifier] of source.matchAll(/\bimport\(\s*["']([^"'\n]+)["']\s*\)/g)) {
    if (specifier) found.push(specifier);
  }
  return found;
}

/** Whether a specifier resolves without an import map (a URL scheme or a path). */
function isSelfContained(specifier: string): boolean {
  return /^(jsr|npm|node|https?|data):/.test(specifier);
}

/**
 * Embed what the bundle's code imports from outside its folder (relative
 * imports, followed transitively) under `_imports/`, rewriting the
 * specifiers; refuse imports the program could not resolve on its own.
 */
async function embedImports(root: string, files: Record<string, EmbeddedFile>): Promise<void> {
  const embedded = new Map<string, string>(); // absolute path outside the bundle -> embedded path
  const queue: { rel: string; origin: string }[] = Object.keys(files)
    .filter((rel) => CODE.test(rel)).map((rel) => ({ rel, origin: join(root, rel) }));
  while (queue.length > 0) {
    const { rel, origin } = queue.shift()!;
    const source = files[rel];
    if (typeof source !== "string") continue;
    let rewritten = source;
    for (const specifier of new Set(importSpecifiers(source))) {
      if (isSelfContained(specifier)) continue;
      const where = rel.startsWith("_imports/") ? origin : join(root, rel);
      if (
        !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.startsWith("file:")
      ) {
        throw new BundleError([{
          path: where,
          field: "import",
          message:
            `imports "${specifier}", which the exported program cannot resolve without an import map; import it by a full specifier (jsr:, npm:, https:) or use runtime.lib`,
        }]);
      }
      const target = specifier.startsWith("file:")
        ? fileURLToPath(specifier)
        : resolve(dirname(origin), specifier);
      const inside = relative(root, target);
      if (!inside.startsWith("..") && !isAbsolute(inside)) {
        if (!rel.startsWith("_imports/")) continue; // inside the bundle: embedded as is
      }
      let path = embedded.get(target);
      if (path === undefined) {
        if (embedded.size >= MAX_IMPORTED) {
          throw new BundleError([{
            path: where,
            field: "import",
            message:
              `imports more than ${MAX_IMPORTED} modules from outside the bundle; move the code into the bundle folder`,
          }]);
        }
        const text = await readFile(target, "utf8").catch(() => undefined);
        if (text === undefined) {
          throw new BundleError([{
            path: where,
            field: "import",
            message: `imports "${specifier}", which does not exist at ${target}`,
          }]);
        }
        path = !inside.startsWith("..") && !isAbsolute(inside)
          ? inside.split("\\").join("/")
          : `_imports/${embedded.size + 1}_${basename(target)}`;
        embedded.set(target, path);
        if (files[path] === undefined) {
          files[path] = text;
          if (CODE.test(path)) queue.push({ rel: path, origin: target });
        }
      }
      let next = posix.relative(posix.dirname(rel), path);
      if (!next.startsWith(".")) next = `./${next}`;
      rewritten = rewritten.replaceAll(`"${specifier}"`, JSON.stringify(next))
        .replaceAll(`'${specifier}'`, JSON.stringify(next));
    }
    files[rel] = rewritten;
  }
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
  const files = await embedFiles(folder.root, [""], {
    skipFolders: SKIP,
    maxBytes: MAX_BYTES,
    tooLarge: () =>
      new BundleError([{
        path: folder.root,
        message: `is larger than ${
          MAX_BYTES / 1_000_000
        } MB; export-code embeds every file, so move large data out of the bundle`,
      }]),
  });
  await embedImports(folder.root, files);
  const { module, config } = libraryModules(library);
  const bundles = module("bundles");
  const cli = module("cli");
  const run = `deno run -A${config ? ` --config ${config}` : ""} ${outFile.split("/").at(-1)}`;
  const program = `// Generated by \`looplet export-code\` from ${JSON.stringify(root)}.
// A standalone program: the bundle's files (and the modules they import from
// outside it) are embedded below, so it needs only the looplet library. It
// builds the agent with blueprint fingerprint ${blueprint.fingerprint}.
// It runs real models (OPENAI_BASE_URL/OPENAI_MODEL or ANTHROPIC_API_KEY),
// writes a provenance trace, and removes its temporary bundle folder at exit
// unless --keep is given.
//
//   ${run} "<task>" [--scripted] [--workspace DIR] [--keep]
//   ${run} --blueprint
import { type EmbeddedFile, type LoadedBundle, materializeBundle } from ${JSON.stringify(bundles)};

/** Fingerprint of the blueprint this program builds. */
export const FINGERPRINT = ${JSON.stringify(blueprint.fingerprint)};

/** The bundle's files, by path relative to the bundle folder. */
export const FILES: Readonly<Record<string, EmbeddedFile>> = ${JSON.stringify(files, null, 2)};

/** Write the embedded bundle to a temporary folder and load it (remove \`folder.root\` when done). */
export function loadAgentBundle(): Promise<LoadedBundle> {
  return materializeBundle(FILES);
}

if (import.meta.main) {
  const { main, programDependencies } = await import(${JSON.stringify(cli)});
  const root = (await loadAgentBundle()).folder.root;
  const keep = Deno.args.includes("--keep");
  // --keep keeps the bundle folder; it reaches run only with --copy-workspace, whose copy it keeps.
  const args = Deno.args.filter((arg) => arg !== "--keep" || Deno.args.includes("--copy-workspace"));
  let code = 1;
  try {
    code = args[0] === "--blueprint"
      ? await main(["blueprint", root, ...args.slice(1)], programDependencies())
      : await main(["run", root, ...args], programDependencies());
  } finally {
    if (keep) console.error(\`kept bundle folder: \${root}\`);
    else await Deno.remove(root, { recursive: true });
  }
  Deno.exit(code);
}
`;
  await writeFileAtomically(outFile, program);
  return { path: outFile, fingerprint: blueprint.fingerprint };
}
