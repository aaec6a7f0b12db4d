/**
 * Workspace tools under hostile sizes: peak RSS and time of `bash` printing
 * 400 MB, `read_file` reading the first lines of a 400 MB file, and `grep`
 * with a catastrophic pattern, each in its own process, next to a baseline
 * process that only loads the tools. `deno run -A bench/workspace_bench.ts`.
 *
 * @module
 */
import { peakRssMb } from "./_bench_utils.ts";

const CASES = ["baseline", "bash 400 MB output", "read_file head of 400 MB", "grep (a+)+$"];

async function child(name: string): Promise<void> {
  const { bashTool, grepTool, readFileTool } = await import("../tools/workspace/mod.ts");
  const root = await Deno.makeTempDir({ prefix: "looplet-bench-" });
  const ctx = {
    signal: new AbortController().signal,
    step: 1,
    turn: 1,
    call: { id: "c1", name: "x", args: {} },
    idempotencyKey: "bench:c1",
    metadata: {},
    llm: undefined as never,
    progress() {},
    addUsage() {},
  };
  try {
    let setup = 0;
    const start = performance.now();
    if (name === "bash 400 MB output") {
      await bashTool(root).execute({ command: "head -c 400000000 /dev/zero | tr '\\0' a" }, ctx);
    } else if (name === "read_file head of 400 MB") {
      const file = await Deno.open(`${root}/big.txt`, { write: true, create: true });
      const block = new TextEncoder().encode(`${"x".repeat(99)}\n`.repeat(40_000));
      for (let i = 0; i < 100; i++) await file.write(block);
      file.close();
      setup = performance.now() - start;
      await readFileTool(root).execute({ path: "big.txt", limit: 20 }, ctx);
    } else if (name === "grep (a+)+$") {
      await Deno.writeTextFile(`${root}/a.txt`, `${"a".repeat(40)}b\n`);
      const grep = grepTool(root, { timeoutMs: 1000 });
      await Promise.resolve(grep.execute({ pattern: "^(a+)+$" }, ctx)).catch(() => {});
    }
    const ms = performance.now() - start - setup;
    console.log(JSON.stringify({ ms, peak: peakRssMb() }));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

if (Deno.args[0] === "--case") {
  await child(Deno.args[1]!);
} else {
  console.log("case                        ms        peak RSS MB   vs baseline");
  let baseline = 0;
  for (const name of CASES) {
    const { stdout, code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, "--case", name],
      stderr: "inherit",
    }).output();
    if (code !== 0) Deno.exit(code);
    const { ms, peak } = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
    if (name === "baseline") baseline = peak;
    console.log(
      `${name.padEnd(26)} ${ms.toFixed(0).padStart(7)}   ${peak.toFixed(0).padStart(11)}   ${
        (peak / baseline).toFixed(2)
      }×`,
    );
  }
}
