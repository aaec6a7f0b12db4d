/**
 * Cold import of mod.ts against a bare `deno run` of an empty module.
 *
 *   deno run -A bench/import_bench.ts
 *
 * Target (issue 2): importing mod.ts adds at most 10 ms.
 */
import { quantile } from "./_bench_utils.ts";

const RUNS = 15;
const dir = await Deno.makeTempDir({ prefix: "looplet-import-" });
const empty = `${dir}/empty.ts`;
const importer = `${dir}/import_mod.ts`;
await Deno.writeTextFile(empty, "");
await Deno.writeTextFile(
  importer,
  `import * as looplet from "${
    new URL("../mod.ts", import.meta.url).href
  }";\nif (!looplet.composableLoop) throw new Error("missing");\n`,
);
const config = new URL("../deno.json", import.meta.url).pathname;

async function median(file: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const started = performance.now();
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", config, file],
    }).output();
    if (code !== 0) throw new Error(`deno run ${file} failed`);
    if (i >= 2) times.push(performance.now() - started); // the first runs fill the module cache
  }
  return quantile(times, 0.5);
}

const bare = await median(empty);
const withMod = await median(importer);
await Deno.remove(dir, { recursive: true });
console.log("import: median of", RUNS, "runs");
console.log(`  bare deno run:      ${bare.toFixed(1)} ms`);
console.log(`  import mod.ts:      ${withMod.toFixed(1)} ms`);
console.log(`  added by mod.ts:    ${(withMod - bare).toFixed(1)} ms (target ≤ 10 ms)`);
