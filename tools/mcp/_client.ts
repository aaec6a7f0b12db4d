import type { AnyTool } from "../../loop/types.ts";
import { LOOPLET_VERSION } from "../../loop/version.ts";
import type {
  ConnectMcpServerOptions,
  McpRequestOptions,
  McpServer,
  McpServerConfig,
  McpServerInfo,
  McpToolDescription,
} from "./mcp_server.ts";
import type { McpAttachment } from "./_content.ts";
import { defaultMcpEnv } from "./default_mcp_env.ts";
import { McpError } from "./mcp_error.ts";
import { HttpTransport } from "./_http_transport.ts";
import { StdioTransport } from "./_stdio_transport.ts";
import { toLoopTools } from "./_to_tool.ts";
import {
  isRequest,
  isResponse,
  type JsonRpcMessage,
  type JsonRpcResponse,
  type RequestId,
  SessionExpiredError,
  type Transport,
} from "./_json_rpc.ts";

/** The protocol version we ask for, newest first; the server may answer with an older one. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
];

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: unknown): void;
  onProgress?: McpRequestOptions["onProgress"];
}

/** One live connection: a transport plus its requests in flight. */
interface Connection {
  readonly transport: Transport;
  readonly pending: Map<RequestId, Pending>;
  nextId: number;
  dropped?: Error;
}

/** The `McpServer` implementation behind `connectMcpServer`. */
export class McpClient implements McpServer {
  readonly name: string;
  readonly config: McpServerConfig;
  readonly #options: ConnectMcpServerOptions;
  readonly #env: Record<string, string>;
  #connection: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #failed: Error | undefined;
  #closed = false;
  #protocolVersion: string | undefined;
  #serverInfo: McpServerInfo | undefined;
  #instructions: string | undefined;
  #toolList: Promise<McpToolDescription[]> | undefined;
  #stderrSource: Transport | undefined;
  readonly #attachments = new Map<string, McpAttachment>();
  readonly #lifetime = new AbortController();
  #attachmentCount = 0;

  constructor(config: McpServerConfig, options: ConnectMcpServerOptions) {
    this.name = config.name;
    this.config = config;
    this.#options = options;
    this.#env = config.command !== undefined
      ? { ...(options.baseEnv ?? defaultMcpEnv()), ...(config.env ?? {}) }
      : {};
  }

  get connected(): boolean {
    return this.#connection !== undefined && this.#connection.dropped === undefined;
  }

  get pid(): number | undefined {
    return this.connected ? this.#connection!.transport.pid : undefined;
  }

  get protocolVersion(): string | undefined {
    return this.#protocolVersion;
  }

  get serverInfo(): McpServerInfo | undefined {
    return this.#serverInfo;
  }

  get instructions(): string | undefined {
    return this.#instructions;
  }

  /** Connect now (idempotent while connected). */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.#ready(signal);
  }

  /** The live connection, opening (or reopening once after a drop) when needed. */
  #ready(signal?: AbortSignal): Promise<Connection> {
    if (this.#closed) {
      return Promise.reject(
        new McpError(this.name, `Cannot use MCP server "${this.name}": it was closed`),
      );
    }
    const live = this.#connection;
    if (live !== undefined && live.dropped === undefined) return Promise.resolve(live);
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (live !== undefined && this.#options.reconnect === false) {
      return Promise.reject(live.dropped);
    }
    const combined = signal === undefined
      ? this.#lifetime.signal
      : AbortSignal.any([signal, this.#lifetime.signal]);
    this.#connecting ??= this.#open(combined, live?.dropped).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  #transport(): Transport {
    const { config, name } = this;
    if (config.command !== undefined) {
      return new StdioTransport({
        server: name,
        command: config.command,
        args: config.args ?? [],
        env: this.#env,
        ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
        ...(this.#options.onStderr !== undefined ? { onStderr: this.#options.onStderr } : {}),
        closeGraceMs: this.#options.closeGraceMs ?? 2000,
        maxMessageBytes: this.#options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      });
    }
    return new HttpTransport({
      server: name,
      url: new URL(config.url!),
      headers: config.headers ?? {},
      fetch: this.#options.fetch ?? globalThis.fetch,
      maxMessageBytes: this.#options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    });
  }

  async #open(signal: AbortSignal, previous: Error | undefined): Promise<Connection> {
    const transport = this.#transport();
    const connection: Connection = { transport, pending: new Map(), nextId: 1 };
    this.#stderrSource = transport;
    try {
      await transport.start({
        message: (message) => this.#receive(connection, message),
        dropped: (error) => this.#drop(connection, error),
      });
      const { clientInfo = { name: "looplet", version: LOOPLET_VERSION } } = this.#options;
      const result = await this.#send(connection, "initialize", {
        protocolVersion: SUPPORTED_PROTOCOL_VERSIONS[0],
        capabilities: {},
        clientInfo,
      }, { timeoutMs: this.#options.connectTimeoutMs ?? 30_000, signal });
      const version = result.protocolVersion;
      if (typeof version !== "string" || !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
        throw new McpError(
          this.name,
          `MCP server "${this.name}" speaks protocol version ${
            JSON.stringify(version)
          }; looplet speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}`,
        );
      }
      transport.setProtocolVersion(version);
      this.#protocolVersion = version;
      const info = result.serverInfo as Record<string, unknown> | undefined;
      this.#serverInfo = info && typeof info.name === "string"
        ? {
          name: info.name,
          version: String(info.version ?? ""),
          ...(typeof info.title === "string" ? { title: info.title } : {}),
        }
        : undefined;
      this.#instructions = typeof result.instructions === "string"
        ? result.instructions
        : undefined;
      await transport.send({ jsonrpc: "2.0", method: "notifications/initialized" });
      if (connection.dropped !== undefined) throw connection.dropped;
      this.#connection = connection;
      this.#toolList = undefined;
      return connection;
    } catch (error) {
      await transport.close();
      const reason = error instanceof Error ? error.message : String(error);
      const failure = new McpError(
        this.name,
        reason.startsWith("Cannot ")
          ? reason
          : `Cannot connect to MCP server "${this.name}": ${reason}${
            previous !== undefined ? ` (reconnecting after: ${previous.message})` : ""
          }`,
        {
          cause: error,
          ...(error instanceof McpError && error.code !== undefined ? { code: error.code } : {}),
        },
      );
      // A server that cannot come back after a drop is not restarted again and again.
      if (previous !== undefined) this.#failed = failure;
      if (this.#lifetime.signal.aborted) {
        throw new McpError(this.name, `MCP server "${this.name}" was closed while connecting`);
      }
      if (signal.aborted) throw signal.reason;
      throw failure;
    }
  }

  #drop(connection: Connection, error: Error): void {
    connection.dropped = error;
    for (const pending of connection.pending.values()) pending.reject(error);
    connection.pending.clear();
  }

  #receive(connection: Connection, message: JsonRpcMessage): void {
    if (isResponse(message)) {
      const pending = message.id === null ? undefined : connection.pending.get(message.id);
      if (pending === undefined) return; // late answer to a cancelled request
      connection.pending.delete(message.id!);
      if (message.error !== undefined) pending.reject(this.#rpcError(message));
      else pending.resolve(message.result ?? {});
      return;
    }
    if (isRequest(message)) {
      const answer: JsonRpcResponse = message.method === "ping"
        ? { jsonrpc: "2.0", id: message.id, result: {} }
        : {
          jsonrpc: "2.0",
          id: message.id,
          error: { code: -32601, message: `Method not found: ${message.method}` },
        };
      connection.transport.send(answer).catch(() => {});
      return;
    }
    const params = message.params ?? {};
    switch (message.method) {
      case "notifications/tools/list_changed":
        this.#toolList = undefined;
        break;
      case "notifications/progress": {
        const token = params.progressToken as RequestId | undefined;
        const pending = token === undefined ? undefined : connection.pending.get(token);
        if (pending?.onProgress && typeof params.progress === "number") {
          try {
            pending.onProgress({
              progress: params.progress,
              ...(typeof params.total === "number" ? { total: params.total } : {}),
              ...(typeof params.message === "string" ? { message: params.message } : {}),
            });
          } catch {
            // a listener's failure must not break the connection
          }
        }
        break;
      }
      case "notifications/message":
        try {
          this.#options.onLog?.({
            server: this.name,
            level: String(params.level ?? "info"),
            ...(typeof params.logger === "string" ? { logger: params.logger } : {}),
            data: params.data,
          });
        } catch {
          // as above
        }
        break;
    }
  }

  #rpcError(message: JsonRpcResponse): McpError {
    const { code, message: text, data } = message.error!;
    const detail = data === undefined ? "" : ` (${JSON.stringify(data).slice(0, 300)})`;
    return new McpError(
      this.name,
      `MCP server "${this.name}" answered with JSON-RPC error ${code}: ${text}${detail}`,
      { code, data },
    );
  }

  /** Send one request on a connection and wait for its answer. */
  #send(
    connection: Connection,
    method: string,
    params: Record<string, unknown> | undefined,
    options: McpRequestOptions,
  ): Promise<Record<string, unknown>> {
    const { signal, onProgress } = options;
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (connection.dropped !== undefined) return Promise.reject(connection.dropped);
    signal?.throwIfAborted();
    const id = connection.nextId++;
    const body = onProgress === undefined
      ? params
      : { ...params, _meta: { ...(params?._meta as object | undefined), progressToken: id } };
    const httpAbort = new AbortController();
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        connection.pending.delete(id);
      };
      const cancel = (reason: string) => {
        if (method !== "initialize") {
          connection.transport
            .send({
              jsonrpc: "2.0",
              method: "notifications/cancelled",
              params: { requestId: id, reason },
            })
            .catch(() => {})
            .finally(() => httpAbort.abort());
        } else httpAbort.abort();
      };
      const onAbort = () => {
        cleanup();
        cancel("The client cancelled the request");
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        cancel(`Timed out after ${timeoutMs}ms`);
        reject(
          new DOMException(
            `MCP server "${this.name}" did not answer "${method}"${
              method === "tools/call" ? ` for tool "${params?.name}"` : ""
            } within ${timeoutMs}ms${
              method === "initialize" ? "" : "; sent notifications/cancelled"
            }${connection.transport.diagnostics()}`,
            "TimeoutError",
          ),
        );
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      connection.pending.set(id, {
        resolve: (result) => {
          cleanup();
          resolve(result);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        ...(onProgress !== undefined ? { onProgress } : {}),
      });
      connection.transport
        .send(
          { jsonrpc: "2.0", id, method, ...(body !== undefined ? { params: body } : {}) },
          httpAbort.signal,
        )
        .catch((error) => {
          if (!connection.pending.has(id)) return; // already settled (timeout, abort, answer)
          cleanup();
          reject(error);
        });
    });
  }

  async request(
    method: string,
    params?: Record<string, unknown>,
    options: McpRequestOptions = {},
  ): Promise<Record<string, unknown>> {
    if (typeof method !== "string" || method === "") {
      throw new TypeError(
        `Cannot send to MCP server "${this.name}": 'method' must be a non-empty string`,
      );
    }
    const connection = await this.#ready(options.signal);
    try {
      return await this.#send(connection, method, params, options);
    } catch (error) {
      if (error instanceof SessionExpiredError) {
        // HTTP 404 on our session: the server did not run the request; start a new session once.
        this.#drop(connection, new McpError(this.name, error.message));
        return await this.#send(await this.#ready(options.signal), method, params, options);
      }
      if (
        connection.dropped !== undefined && error === connection.dropped &&
        method !== "tools/call" && this.#options.reconnect !== false && !this.#closed
      ) {
        // Listing and other reads are safe to repeat on a fresh connection; tool calls are not.
        return await this.#send(await this.#ready(options.signal), method, params, options);
      }
      throw error;
    }
  }

  callTool(
    name: string,
    args: Record<string, unknown>,
    options: McpRequestOptions = {},
  ): Promise<Record<string, unknown>> {
    return this.request("tools/call", { name, arguments: args }, options);
  }

  listTools(): Promise<McpToolDescription[]> {
    const list = this.#toolList ??= this.#fetchTools();
    list.catch(() => {
      if (this.#toolList === list) this.#toolList = undefined;
    });
    return list.then((tools) => [...tools]);
  }

  async #fetchTools(): Promise<McpToolDescription[]> {
    const tools: McpToolDescription[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const result = await this.request(
        "tools/list",
        cursor === undefined ? undefined : { cursor },
      );
      if (!Array.isArray(result.tools)) {
        throw new McpError(
          this.name,
          `MCP server "${this.name}" answered tools/list without 'tools'`,
        );
      }
      for (const item of result.tools) {
        if (typeof item === "object" && item !== null && typeof item.name === "string") {
          tools.push(item as McpToolDescription);
        }
      }
      cursor = typeof result.nextCursor === "string" && result.nextCursor !== ""
        ? result.nextCursor
        : undefined;
      if (cursor === undefined) break;
    }
    return tools;
  }

  async tools(): Promise<AnyTool[]> {
    return toLoopTools(this, await this.listTools());
  }

  /** Keep binary content aside; the step shows the returned reference. */
  keepAttachment(mimeType: string, base64: string): { ref: string; bytes: number } {
    let data: Uint8Array;
    try {
      data = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    } catch {
      data = new TextEncoder().encode(base64);
    }
    const ref = `mcp://${encodeURIComponent(this.name)}/attachments/${++this.#attachmentCount}`;
    const keep = this.#options.keepAttachments ?? 16;
    if (keep > 0) {
      this.#attachments.set(ref, Object.freeze({ ref, mimeType, data }));
      while (this.#attachments.size > keep) {
        this.#attachments.delete(this.#attachments.keys().next().value!);
      }
    }
    return { ref, bytes: data.byteLength };
  }

  attachment(ref: string): McpAttachment | undefined {
    return this.#attachments.get(ref);
  }

  stderr(): string {
    return this.#stderrSource?.stderr() ?? "";
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#lifetime.abort();
    const connecting = this.#connecting;
    if (connecting !== undefined) await connecting.catch(() => {});
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#drop(
      connection,
      connection.dropped ?? new McpError(this.name, `MCP server "${this.name}" was closed`),
    );
    await connection.transport.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
