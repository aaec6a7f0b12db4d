/**
 * Build the npm package `looplet` from the same sources as the JSR package:
 * `tsc` compiles every `deno.json` export (and the CLI's `bin`) to ESM plus
 * `.d.ts`, rewriting the `.ts` import specifiers to `.js`; a `package.json`
 * carries the same subpath exports; `npm pack` makes the tarball.
 *
 * ```sh
 * deno task npm            # dist/npm/looplet-<version>.tgz
 * ```
 *
 * Needs `tsc` from `.ci/runtimes` (`deno task test:deps` installs it).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "dist/npm");
const PACKAGE = join(OUT, "package");
const TSC = join(ROOT, ".ci/runtimes/node_modules/typescript/bin/tsc");
const BIN = "packages/npm/bin.ts";

/** Runtime dependencies and peers of the npm package, with the ranges deno.json maps. */
const DEPENDENCIES = ["yaml"];
const PEERS = ["zod"];
const OPTIONAL_PEERS = ["@opentelemetry/api"];

interface DenoJson {
  readonly version: string;
  readonly license: string;
  readonly exports: Record<string, string>;
  readonly imports: Record<string, string>;
}

/**
 * Build the package folder and pack it.
 *
 * @returns The tarball's path.
 */
export function buildNpmPackage(): string {
  const deno: DenoJson = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(PACKAGE, { recursive: true });
  const entries = [...Object.values(deno.exports), BIN];
  const tsconfig = join(OUT, "tsconfig.json");
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        compilerOptions: {
          target: "es2022",
          module: "esnext",
          moduleResolution: "bundler",
          rootDir: ROOT,
          outDir: PACKAGE,
          declaration: true,
          rewriteRelativeImportExtensions: true,
          allowImportingTsExtensions: true,
          erasableSyntaxOnly: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
          // `deno task check` type-checks these sources; tsc only emits them.
          noCheck: true,
          types: [],
        },
        files: entries.map((entry) => relative(OUT, join(ROOT, entry))),
      },
      null,
      2,
    ),
  );
  execFileSync("node", [TSC, "-p", tsconfig], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const js = (entry: string) => `./${entry.replace(/^\.\//, "").replace(/\.ts$/, ".js")}`;
  const exports = Object.fromEntries(
    Object.entries(deno.exports).map((
      [key, entry],
    ) => [key, { types: js(entry).replace(/\.js$/, ".d.ts"), default: js(entry) }]),
  );
  const range = (name: string) => {
    const spec = deno.imports[name];
    if (spec === undefined) throw new Error(`deno.json "imports" has no "${name}"; add it`);
    return spec.replace(/^npm:/, "").slice(name.length + 1);
  };
  const pick = (names: string[]) => Object.fromEntries(names.map((name) => [name, range(name)]));
  const manifest = {
    name: "looplet",
    version: deno.version,
    description:
      "LLM tool-calling agents as an async iterator: hooks, Zod tools, backends, checkpoints, traces, evals, skill bundles, MCP and a CLI",
    license: deno.license,
    type: "module",
    engines: { node: ">=22" },
    exports,
    bin: { looplet: js(BIN) },
    files: ["**/*.js", "**/*.d.ts", "README.md", "LICENSE"],
    dependencies: pick(DEPENDENCIES),
    peerDependencies: pick([...PEERS, ...OPTIONAL_PEERS]),
    peerDependenciesMeta: Object.fromEntries(
      OPTIONAL_PEERS.map((name) => [name, { optional: true }]),
    ),
  };
  writeFileSync(join(PACKAGE, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  for (const file of ["README.md", "LICENSE"]) copyFileSync(join(ROOT, file), join(PACKAGE, file));
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", OUT], {
    cwd: PACKAGE,
    encoding: "utf8",
  }).trim().split("\n").at(-1)!;
  return join(OUT, packed);
}

if (import.meta.main) console.log(buildNpmPackage());
