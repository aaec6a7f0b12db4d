/**
 * Where the tests find the real MCP servers: installed from npm into
 * `.ci/mcp-servers` by `.ci/run` (or by hand: `npm ci --prefix .ci/mcp-servers`),
 * and run with `node`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { McpServerConfig } from "../../../../tools/mcp/mod.ts";

const PACKAGES = new URL(
  "../../../../.ci/mcp-servers/node_modules/@modelcontextprotocol/",
  import.meta.url,
);

function entry(pkg: string): string {
  const path = fileURLToPath(new URL(`${pkg}/dist/index.js`, PACKAGES));
  if (!existsSync(path)) {
    throw new Error(
      `MCP test server "${pkg}" is not installed at ${path}; run: npm ci --prefix .ci/mcp-servers`,
    );
  }
  return path;
}

/** stdio config for @modelcontextprotocol/server-everything. */
export function everythingStdio(extra: Partial<McpServerConfig> = {}): McpServerConfig {
  return {
    name: "everything",
    command: "node",
    args: [entry("server-everything"), "stdio"],
    ...extra,
  };
}

/** stdio config for @modelcontextprotocol/server-filesystem confined to `root`. */
export function filesystemStdio(
  root: string,
  extra: Partial<McpServerConfig> = {},
): McpServerConfig {
  return { name: "fs", command: "node", args: [entry("server-filesystem"), root], ...extra };
}

/** A free loopback port (the OS picks it; closed again at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A running server-everything in streamableHttp mode on a loopback port. */
export interface HttpEverything extends AsyncDisposable {
  readonly url: string;
  readonly process: Deno.ChildProcess;
  stop(): Promise<void>;
}

/** Start server-everything's streamable HTTP mode and wait until it listens. */
export async function startEverythingHttp(): Promise<HttpEverything> {
  const port = freePort();
  const child = new Deno.Command("node", {
    args: [entry("server-everything"), "streamableHttp"],
    env: { PORT: String(port), PATH: Deno.env.get("PATH") ?? "" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.pipeTo(new WritableStream());
  const decoder = new TextDecoder();
  let seen = "";
  const reader = child.stderr.getReader();
  const deadline = Date.now() + 15_000;
  while (!seen.includes("listening on port")) {
    const { value, done } = await reader.read();
    if (done || Date.now() > deadline) {
      child.kill();
      await child.status;
      throw new Error(`server-everything (streamableHttp) did not start: ${seen}`);
    }
    seen += decoder.decode(value, { stream: true });
  }
  const drain = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe flowing */ }
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await Promise.allSettled([stdout, drain]);
  };
  return { url: `http://127.0.0.1:${port}/mcp`, process: child, stop, [Symbol.asyncDispose]: stop };
}
