/**
 * Runs every benchmark under bench/ in its own process: `deno task bench`.
 * Pass names to run some: `deno task bench loop import`.
 */
const dir = new URL(".", import.meta.url);
const wanted = Deno.args;
const files: string[] = [];
for await (const entry of Deno.readDir(dir)) {
  if (!entry.isFile || !entry.name.endsWith("_bench.ts")) continue;
  if (wanted.length > 0 && !wanted.some((name) => entry.name.startsWith(name))) continue;
  files.push(entry.name);
}
files.sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file} ==`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(file, dir).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
  // Let the disk settle: a benchmark that wrote thousands of files must not slow the next one.
  await new Deno.Command("sync").output().catch(() => {});
}
if (failed > 0) Deno.exit(1);
