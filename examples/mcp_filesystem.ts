/**
 * A scripted agent uses the real MCP filesystem server
 * (`@modelcontextprotocol/server-filesystem`), confined to a temporary
 * directory: it writes a file, fixes it with a nested `edit_file` call, reads
 * it back, tries to read outside its directory (the server refuses; the
 * model sees the refusal), and lists the directory.
 *
 * Runs offline:
 *
 * ```sh
 * deno task mcp:servers   # once: npm ci --prefix .ci/mcp-servers
 * deno task mcp:example
 * ```
 *
 * Without the local install it starts the server with `npx -y`, which needs
 * the npm registry.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { composableLoop, type Outcome, ScriptedBackend, type Step } from "../mod.ts";
import { closeMcpServers, connectMcpServer, type McpServerConfig } from "../tools/mcp/mod.ts";

const LOCAL_SERVER = fileURLToPath(
  new URL(
    "../.ci/mcp-servers/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
    import.meta.url,
  ),
);

/** How to start the filesystem server for `root`: the local install, else `npx`. */
export function filesystemServer(root: string): McpServerConfig {
  return existsSync(LOCAL_SERVER)
    ? { name: "fs", command: "node", args: [LOCAL_SERVER, root], timeoutMs: 10_000 }
    : {
      name: "fs",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem@2026.8.31", root],
      timeoutMs: 10_000,
    };
}

/** The scripted model: what a real model could answer to this task. */
export function filesystemScript(root: string): ScriptedBackend {
  return new ScriptedBackend([
    ScriptedBackend.call("write_file", {
      path: `${root}/todo.md`,
      content: "- buy milk\n- write the MCP example\n",
    }, "Create the list"),
    ScriptedBackend.call("edit_file", {
      path: `${root}/todo.md`,
      edits: [{ oldText: "- write the MCP example", newText: "- [x] write the MCP example" }],
    }, "Tick off the example"),
    ScriptedBackend.call("read_text_file", { path: `${root}/todo.md` }, "Check the result"),
    ScriptedBackend.call("read_text_file", { path: "/etc/hostname" }, "Peek outside"),
    ScriptedBackend.call("list_directory", { path: root }, "See what is there"),
    ScriptedBackend.call("done", { answer: "todo.md written and updated" }),
  ]);
}

/**
 * Run the scripted agent against the filesystem server in `root`.
 *
 * @param root The only directory the server may touch.
 * @returns The steps and the outcome.
 */
export async function runFilesystemExample(
  root: string,
): Promise<{ steps: Step[]; outcome: Outcome }> {
  const fs = await connectMcpServer(filesystemServer(root), { connectTimeoutMs: 120_000 });
  const run = composableLoop({
    llm: filesystemScript(root),
    tools: await fs.tools(),
    hooks: [closeMcpServers([fs])], // ends the server process however the run ends
    task: `Keep a todo list in ${root}/todo.md`,
  });
  const steps = await Array.fromAsync(run);
  return { steps, outcome: await run.outcome };
}

if (import.meta.main) {
  // The server resolves symlinks, so give it the real path of the directory.
  const root = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "looplet-mcp-" }));
  try {
    const { steps, outcome } = await runFilesystemExample(root);
    for (const step of steps) console.log(step.pretty());
    console.log(`stop: ${outcome.stopReason} · answer: ${outcome.finalAnswer}`);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}
