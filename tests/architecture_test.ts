// The layering of ARCHITECTURE.md, checked: imports point downward only, and
// mod.ts's module graph stays free of heavy dependencies.
import assert from "node:assert/strict";
import { relative } from "node:path";
import { moduleGraph } from "./_module_graph.ts";

const root = new URL("../", import.meta.url);
const LAYERS = [
  "internal",
  "loop",
  "tools",
  "backends",
  "hooks",
  "skills",
  "durable",
  "provenance",
  "dbos",
  "evals",
  "bundles",
  "cartridge",
  "cli",
  "packages",
] as const;
// provenance, evals and dbos sit side by side; durable sits beside hooks
const RANK: Record<string, number> = {
  internal: -1,
  loop: 0,
  tools: 1,
  backends: 2,
  hooks: 3,
  skills: 3,
  durable: 3,
  provenance: 4,
  evals: 4,
  dbos: 4,
  bundles: 5,
  cartridge: 5,
  cli: 6,
  packages: 7,
};

function layerOf(path: string): string | undefined {
  const top = path.split("/")[0];
  if (top === "cli.ts") return "cli";
  return (LAYERS as readonly string[]).includes(top!) ? top : undefined;
}

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test("imports between layers point downward only", async () => {
  const problems: string[] = [];
  for (const layer of LAYERS) {
    const start: URL[] = [];
    if (layer === "cli") {
      for await (const entry of Deno.readDir(root)) {
        if (entry.isFile && layerOf(entry.name) === "cli") start.push(new URL(entry.name, root));
      }
    }
    const dir = new URL(`${layer}/`, root);
    const files: URL[] = [...start];
    try {
      for await (const file of sourceFiles(dir)) files.push(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    for (const file of files) {
      let text: string;
      try {
        text = await Deno.readTextFile(file);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        throw error;
      }
      const from = relative(root.pathname, file.pathname);
      for (
        const match of text.matchAll(
          /(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g,
        )
      ) {
        const target = relative(root.pathname, new URL(match[1] ?? match[2]!, file).pathname);
        const targetLayer = layerOf(target);
        const fromLayer = layerOf(from)!;
        if (targetLayer !== undefined && RANK[targetLayer]! > RANK[fromLayer]!) {
          problems.push(`${from} imports ${target} (${fromLayer} → ${targetLayer})`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("mod.ts loads neither zod nor yaml at import time (lazy dynamic imports allowed)", async () => {
  const runtimeDeps = (await moduleGraph("mod.ts"))
    .flatMap((module) =>
      (module.dependencies ?? []).filter((dep) => dep.code !== undefined && dep.isDynamic !== true)
        .map((dep) => dep.specifier)
    );
  assert.deepEqual(runtimeDeps.filter((specifier) => /zod|yaml|^npm:/.test(specifier)), []);
});

const ANY_IMPORT =
  /(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;

/** Every source file outside tests/, examples/ and bench/, with its relative imports. */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  const skip = new Set(["tests", "examples", "bench", "node_modules", "dist", ".git"]);
  async function visit(dir: URL): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      if (skip.has(entry.name) || entry.name.startsWith(".")) continue;
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
      if (entry.isDirectory) await visit(url);
      else if (entry.name.endsWith(".ts")) {
        const text = (await Deno.readTextFile(url)).replace(/\/\*[\s\S]*?\*\//g, "");
        const targets = [
          ...text.matchAll(ANY_IMPORT),
        ].map((match) => relative(root.pathname, new URL(match[1] ?? match[2]!, url).pathname));
        graph.set(relative(root.pathname, url.pathname), targets);
      }
    }
  }
  await visit(root);
  return graph;
}

// A private module belongs to its folder and the folders beneath it (as Go's internal/):
// backends/openai/ may use backends/_http.ts, backends/router_backend.ts may not use
// backends/openai/_stream.ts.
Deno.test("no private _x.ts module is imported from outside its folder", async () => {
  const problems: string[] = [];
  for (const [from, targets] of await importGraph()) {
    for (const target of targets) {
      const name = target.split("/").at(-1)!;
      const folder = target.slice(0, -name.length);
      if (name.startsWith("_") && !from.startsWith(folder)) {
        problems.push(`${from} imports ${target}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("no import circle between source files, type-only imports included", async () => {
  const graph = await importGraph();
  const state = new Map<string, "open" | "done">();
  const circles: string[] = [];
  function walk(file: string, path: string[]): void {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      circles.push([...path.slice(path.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "open");
    for (const target of graph.get(file) ?? []) walk(target, [...path, file]);
    state.set(file, "done");
  }
  for (const file of graph.keys()) walk(file, []);
  assert.deepEqual(circles, []);
});

Deno.test("every entry point in deno.json exports is a mod.ts", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const entries = Object.entries(config.exports as Record<string, string>);
  const problems = entries.filter(([, path]) => !path.endsWith("/mod.ts") && path !== "./mod.ts");
  assert.deepEqual(problems, []);
});

/** Programs the export commands write: they run under Deno by design, so their templates say `Deno.`. */
const DENO_PROGRAM_TEMPLATES = new Set([
  "bundles/export_bundle_code.ts",
  "cartridge/export_cartridge_code.ts",
]);

Deno.test("the library calls no Deno.* API, so it runs on Node and Bun", async () => {
  const callers: string[] = [];
  for (const file of (await importGraph()).keys()) {
    if (DENO_PROGRAM_TEMPLATES.has(file) || file.startsWith("packages/")) continue;
    const lines = (await Deno.readTextFile(new URL(file, root))).split("\n");
    lines.forEach((line, index) => {
      const trimmed = line.trim();
      if (/^(\*|\/\/|\/\*)/.test(trimmed)) return;
      if (/\bDeno\./.test(trimmed.replace(/"[^"]*"|'[^']*'/g, '""'))) {
        callers.push(`${file}:${index + 1}: ${trimmed}`);
      }
    });
  }
  assert.deepEqual(callers, []);
});
