/**
 * CLI benchmark: start-up time of `looplet --help` and
 * `looplet list-bundles examples/skills` against a bare `deno run` of an
 * empty file (from source and from the single-file build), and the size of
 * the single-file build. Prints figures; asserts nothing.
 *
 *   deno run -A bench/cli_bench.ts [--runs N]
 *
 * Run `deno task bundle` first to include the single-file build.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quantile } from "./_bench_utils.ts";

const runsFlag = Deno.args.indexOf("--runs");
const RUNS = runsFlag >= 0 ? Number(Deno.args[runsFlag + 1]) : 15;
const deno = Deno.execPath();
const root = new URL("..", import.meta.url).pathname;
const empty = join(tmpdir(), "looplet-bench-empty.ts");
writeFileSync(empty, "");

function time(args: string[]): { min: number; median: number } {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(deno, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    samples.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  }
  return { min: Math.min(...samples), median: quantile(samples, 0.5) };
}

const baseline = time(["run", empty]);
const rows: [string, string[]][] = [
  ["--help (cli.ts)", ["run", "-A", "cli.ts", "--help"]],
  ["list-bundles examples/skills (cli.ts)", [
    "run",
    "-A",
    "cli.ts",
    "list-bundles",
    "examples/skills",
  ]],
];
const dist = join(root, "dist/looplet.mjs");
if (existsSync(dist)) {
  rows.push(["--help (dist/looplet.mjs)", ["run", "-A", dist, "--help"]]);
  rows.push(["list-bundles (dist/looplet.mjs)", [
    "run",
    "-A",
    dist,
    "list-bundles",
    "examples/skills",
  ]]);
}
console.log(`runs per row: ${RUNS} (min and median wall time, ms)`);
console.log(
  `bare deno run of an empty file: min ${baseline.min.toFixed(1)}  median ${
    baseline.median.toFixed(1)
  }`,
);
for (const [label, args] of rows) {
  const { min, median } = time(args);
  console.log(
    `${label}: min ${min.toFixed(1)}  median ${median.toFixed(1)}  ratio(median) ${
      (median / baseline.median).toFixed(2)
    }x  (target <= 1.5x)`,
  );
}
if (existsSync(dist)) {
  const bytes = statSync(dist).size;
  console.log(
    `single-file build: ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes; target <= 1 MB)`,
  );
} else console.log("single-file build: not built (run deno task bundle)");
