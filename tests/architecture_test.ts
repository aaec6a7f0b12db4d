// The layering of ARCHITECTURE.md, checked: imports point downward only, and
// mod.ts's module graph stays free of heavy dependencies.
import assert from "node:assert/strict";
import { relative } from "node:path";

const root = new URL("../", import.meta.url);
const LAYERS = [
  "loop",
  "tools",
  "backends",
  "hooks",
  "durable",
  "provenance",
  "dbos",
  "evals",
  "bundles",
  "cli",
] as const;
// provenance, evals and dbos sit side by side; durable sits beside hooks
const RANK: Record<string, number> = {
  loop: 0,
  tools: 1,
  backends: 2,
  hooks: 3,
  durable: 3,
  provenance: 4,
  evals: 4,
  dbos: 4,
  bundles: 5,
  cli: 6,
};

function layerOf(path: string): string | undefined {
  const top = path.split("/")[0];
  if (top === "cli.ts" || /^cli_[a-z_]+\.ts$/.test(top)) return "cli";
  return (LAYERS as readonly string[]).includes(top) ? top : undefined;
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
        const target = relative(root.pathname, new URL(match[1] ?? match[2], file).pathname);
        const targetLayer = layerOf(target);
        const fromLayer = layerOf(from)!;
        if (targetLayer !== undefined && RANK[targetLayer] > RANK[fromLayer]) {
          problems.push(`${from} imports ${target} (${fromLayer} → ${targetLayer})`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("mod.ts loads neither zod nor yaml at import time (lazy dynamic imports allowed)", async () => {
  const { stdout, code } = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--config",
      new URL("deno.json", root).pathname,
      new URL("mod.ts", root).pathname,
    ],
  }).output();
  assert.equal(code, 0);
  const info = JSON.parse(new TextDecoder().decode(stdout));
  const runtimeDeps = (info.modules as {
    specifier: string;
    dependencies?: { specifier: string; code?: unknown; isDynamic?: boolean }[];
  }[])
    .flatMap((module) =>
      (module.dependencies ?? []).filter((dep) => dep.code !== undefined && dep.isDynamic !== true)
        .map((dep) => dep.specifier)
    );
  assert.deepEqual(runtimeDeps.filter((specifier) => /zod|yaml|^npm:/.test(specifier)), []);
});
