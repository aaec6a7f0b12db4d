/**
 * MCP tools: give a loop the tools of any Model Context Protocol server,
 * over stdio (a child process speaking newline-delimited JSON-RPC) or
 * streamable HTTP (a URL). A separate entry point, `@looplet/looplet/mcp`,
 * so that users of the core never load it.
 *
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { closeMcpServers, connectMcpServer } from "jsr:@looplet/looplet/mcp";
 *
 * const fs = await connectMcpServer({
 *   name: "fs",
 *   command: "npx",
 *   args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp/work"],
 * });
 * const run = composableLoop({ llm, task, tools: await fs.tools(), hooks: [closeMcpServers([fs])] });
 * ```
 *
 * ## What a server's tools become
 *
 * - The name is the server's (cleaned to letters, digits, `_`, `-`), prefixed
 *   with `<server>_` when the config sets `prefix: true`.
 * - The input schema is the server's JSON Schema: the model sees it as the
 *   server wrote it, and arguments are checked against it (required fields,
 *   enums, nested objects, arrays) before anything is sent; a mismatch is a
 *   failed step the model reads, and the server never sees the call.
 * - Results: text stays text; `structuredContent` becomes the step's data;
 *   images, audio and binary resources become `{ type, mimeType, bytes, ref }`
 *   with the bytes available from `server.attachment(ref)`, so base64 never
 *   floods the transcript. `isError: true` becomes a failed step with the
 *   server's text.
 * - Each call has a timeout (`timeoutMs`, default 60 s). On timeout or
 *   cancellation the server gets `notifications/cancelled`.
 *
 * ## Lifecycle
 *
 * `connectMcpServer` runs the `initialize` handshake at once (or on first use
 * with `lazy: true`). When the process exits or the HTTP session expires, the
 * next request starts a new connection once; a tool call that was in flight
 * when the connection dropped fails rather than being repeated, because it
 * may have had effects. `close()` (or the {@linkcode closeMcpServers} hook,
 * which runs when the run ends, fails, or the caller breaks out) closes stdin,
 * waits, then sends SIGTERM and SIGKILL, and drains the pipes; over HTTP it
 * ends the session with DELETE. A server's stderr is captured, never printed
 * (see `onStderr` and `server.stderr()`).
 *
 * ## Environment
 *
 * A stdio server gets exactly `baseEnv` plus its config's `env`. The default
 * `baseEnv` is {@linkcode defaultMcpEnv}: `PATH`, `HOME`, locale, and the
 * certificate-authority, proxy and npm registry settings (so `npx` still
 * reaches the registry), read from this process. Nothing else leaks: pass
 * secrets in `env`, or `baseEnv: {}` for a child that gets only `env`.
 *
 * ## Bundles
 *
 * A bundle declares servers as plain {@linkcode McpServerConfig} objects
 * (`command` + `args` + `env`, or `url` + `headers`). The loader checks them
 * with {@linkcode assertMcpServerConfig} when it reads the bundle, then at
 * run time calls {@linkcode connectMcpServers} and passes `tools` and `hook`
 * to `composableLoop`.
 *
 * ## Why our own client and not `@modelcontextprotocol/sdk`
 *
 * The official SDK is correct and complete, but a client for tools needs a
 * small part of it, and it weighs: `npm install @modelcontextprotocol/sdk@1.32.2`
 * adds 98 packages (an HTTP server framework, a JSON Schema compiler, its
 * own Zod), and loading its client, stdio and HTTP modules took 0.33-0.55 s
 * in Node against 0.07-0.19 s for a bare `node` on this project's machines,
 * while this module has no dependency and adds no measurable time to a bare
 * `deno run`. The wire protocol is small and well specified: JSON-RPC 2.0,
 * newline-delimited on stdio, POST with a JSON or SSE answer and an
 * `Mcp-Session-Id` over HTTP. We ask for protocol `2025-11-25` and accept
 * the server's answer when it is one of `2025-11-25`, `2025-06-18`,
 * `2025-03-26` or `2024-11-05` (the `MCP-Protocol-Version` header follows
 * it); anything else fails the handshake with a message naming both sides.
 * The tests run this client against the reference servers
 * (`@modelcontextprotocol/server-everything` over stdio and HTTP,
 * `@modelcontextprotocol/server-filesystem`), which use the SDK's server
 * side, so the two implementations are checked against each other.
 * Not implemented: the client-side capabilities (sampling, elicitation,
 * roots; requests for them are answered "method not found"), the optional
 * GET stream for unsolicited server messages, resumable streams, and OAuth
 * (pass a token in `headers`).
 *
 * @module
 */

export { assertMcpServerConfig, connectMcpServer } from "./connect_mcp_server.ts";
export type {
  ConnectMcpServerOptions,
  McpAttachment,
  McpLogEntry,
  McpRequestOptions,
  McpServer,
  McpServerConfig,
  McpServerInfo,
  McpToolDescription,
} from "./mcp_server.ts";
export { connectMcpServers } from "./connect_mcp_servers.ts";
export type { McpToolset } from "./connect_mcp_servers.ts";
export { closeMcpServers } from "./close_mcp_servers.ts";
export type { Closable } from "./close_mcp_servers.ts";
export { DEFAULT_MCP_ENV_NAMES, defaultMcpEnv } from "./default_mcp_env.ts";
export type { DefaultMcpEnvOptions } from "./default_mcp_env.ts";
export { McpError } from "./mcp_error.ts";
export type { McpErrorOptions } from "./mcp_error.ts";
export { jsonSchemaInput } from "./json_schema_input.ts";
export type { JsonSchemaInputOptions } from "./json_schema_input.ts";
