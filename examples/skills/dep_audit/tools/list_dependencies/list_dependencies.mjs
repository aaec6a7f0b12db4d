// A module tool: plain JavaScript so it runs under Deno and Node alike.
import { readFile } from "node:fs/promises";
import { join } from "node:path";

function risk(spec) {
  const value = String(spec).trim();
  if (value === "" || value === "*" || value === "latest") return "high: unpinned";
  if (/^(git|https?|file|github):|\.git$|^[\w-]+\/[\w.-]+$/.test(value)) {
    return "high: remote source";
  }
  if (/^[\^~><=]/.test(value) || value.includes(" - ") || /\.x\b/.test(value)) {
    return "medium: range";
  }
  return "low: exact";
}

async function readText(path) {
  return await readFile(path, "utf8").catch(() => undefined);
}

/** List declared dependencies with their risk. */
export async function execute(_args, ctx) {
  const dependencies = [];
  const pkg = await readText(join(ctx.workspace, "package.json"));
  if (pkg !== undefined) {
    const data = JSON.parse(pkg);
    for (const field of ["dependencies", "devDependencies"]) {
      for (const [name, spec] of Object.entries(data[field] ?? {})) {
        dependencies.push({ file: "package.json", name, spec, risk: risk(spec) });
      }
    }
  }
  const deno = await readText(join(ctx.workspace, "deno.json"));
  if (deno !== undefined) {
    for (const [name, target] of Object.entries(JSON.parse(deno).imports ?? {})) {
      const spec = String(target).replace(/^(npm|jsr):(@?[^@]+)@?/, "");
      dependencies.push({ file: "deno.json", name, spec, risk: risk(spec) });
    }
  }
  const requirements = await readText(join(ctx.workspace, "requirements.txt"));
  for (const line of requirements?.split("\n") ?? []) {
    const clean = line.replace(/#.*/, "").trim();
    if (clean === "") continue;
    const match = /^([A-Za-z0-9_.\-\[\]]+)\s*(==|>=|~=|<=|>|<)?\s*(.*)$/.exec(clean);
    const name = match?.[1] ?? clean;
    const spec = match?.[2] ? (match[2] === "==" ? match[3] : `${match[2]}${match[3]}`) : "";
    dependencies.push({
      file: "requirements.txt",
      name,
      spec,
      risk: clean.includes("://") ? "high: remote source" : risk(spec),
    });
  }
  return { dependencies, total: dependencies.length };
}
