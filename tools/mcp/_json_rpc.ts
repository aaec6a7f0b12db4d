import { McpError } from "./mcp_error.ts";

/** JSON-RPC 2.0 message shapes as MCP uses them. */

/** A request id. */
export type RequestId = string | number;

/** A request (has an id and a method). */
export interface JsonRpcRequest {
  readonly jsonrpc: "2.0";
  readonly id: RequestId;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

/** A notification (a method, no id). */
export interface JsonRpcNotification {
  readonly jsonrpc: "2.0";
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

/** The error object of an error response. */
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** A response: a result or an error. */
export interface JsonRpcResponse {
  readonly jsonrpc: "2.0";
  readonly id: RequestId | null;
  readonly result?: Record<string, unknown>;
  readonly error?: JsonRpcErrorObject;
}

/** Any JSON-RPC message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** True when a parsed value is a JSON-RPC 2.0 message. */
export function isJsonRpcMessage(value: unknown): value is JsonRpcMessage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (record.jsonrpc !== "2.0") return false;
  if (typeof record.method === "string") return true;
  return "id" in record && ("result" in record || "error" in record);
}

/** True for a response message. */
export function isResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !("method" in message);
}

/** True for a request message (from the server to us). */
export function isRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return "method" in message && "id" in message && message.id !== undefined;
}

/**
 * Parse a chunk of JSON text into messages (a single message or a batch).
 * Returns undefined when the text is not JSON-RPC.
 */
export function parseMessages(text: string): JsonRpcMessage[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0 || !items.every(isJsonRpcMessage)) return undefined;
  return items as JsonRpcMessage[];
}

/** What a transport tells the session. */
export interface TransportEvents {
  /** A message arrived. */
  message(message: JsonRpcMessage): void;
  /** The connection ended without `close()`: the process exited, the pipe broke. */
  dropped(error: Error): void;
}

/** A way to exchange JSON-RPC messages with one server. */
export interface Transport {
  /** Open the connection (spawn the process). */
  start(events: TransportEvents): Promise<void>;
  /**
   * Send one message. For HTTP, the promise settles once the server's answer
   * to this message has been delivered through `events.message`.
   */
  send(message: JsonRpcMessage, signal?: AbortSignal): Promise<void>;
  /** End the connection and release every resource. Idempotent. */
  close(): Promise<void>;
  /** Tell the transport which protocol version was negotiated. */
  setProtocolVersion(version: string): void;
  /** The child's process id (stdio), once started. */
  readonly pid?: number;
  /** What the server wrote to stderr lately (stdio; empty for HTTP). */
  stderr(): string;
  /** Recent diagnostics (stderr, stray stdout lines) for error messages. */
  diagnostics(): string;
}

/** Thrown by the HTTP transport when the server no longer knows our session (HTTP 404). */
export class SessionExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SessionExpiredError";
  }
}

/** The error for an answer over the size limit. */
export function tooLong(server: string, limit: number): McpError {
  return new McpError(
    server,
    `MCP server "${server}" sent a message longer than ${limit} bytes; raise 'maxMessageBytes' ` +
      `in the connectMcpServer options if such answers are expected`,
  );
}
