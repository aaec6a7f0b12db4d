import { McpError } from "./mcp_error.ts";
import { sseEvents, SseLimitError } from "../../internal/sse.ts";
import {
  isResponse,
  type JsonRpcMessage,
  parseMessages,
  SessionExpiredError,
  tooLong,
  type Transport,
  type TransportEvents,
} from "./_json_rpc.ts";

/** Only the start of an error body is quoted: reading more is pointless. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** The body as text, or undefined once it holds more than `limit` bytes (the rest is not read). */
async function readLimited(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** What the streamable HTTP transport needs. */
export interface HttpTransportOptions {
  readonly server: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  /** Most bytes one answer (a JSON body or one SSE event) may hold. */
  readonly maxMessageBytes: number;
}

/**
 * MCP's streamable HTTP transport, client side: every message is a POST; the
 * answer is one JSON body or an SSE stream that carries the response (and
 * possibly notifications and requests before it). The session id from the
 * `initialize` answer travels on every later request; `close()` ends the
 * session with DELETE. The optional GET stream for unsolicited server
 * messages is not opened: tool calls do not need it.
 */
export class HttpTransport implements Transport {
  readonly #options: HttpTransportOptions;
  #events: TransportEvents | undefined;
  #sessionId: string | undefined;
  #protocolVersion: string | undefined;
  readonly #inFlight = new Set<AbortController>();
  #closed: Promise<void> | undefined;
  #lastError = "";

  constructor(options: HttpTransportOptions) {
    this.#options = options;
  }

  start(events: TransportEvents): Promise<void> {
    this.#events = events;
    return Promise.resolve();
  }

  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  stderr(): string {
    return "";
  }

  diagnostics(): string {
    return this.#lastError === "" ? "" : `; ${this.#lastError}`;
  }

  #headers(extra: Record<string, string>): Headers {
    const headers = new Headers(this.#options.headers);
    for (const [key, value] of Object.entries(extra)) headers.set(key, value);
    if (this.#sessionId !== undefined) headers.set("mcp-session-id", this.#sessionId);
    if (this.#protocolVersion !== undefined) {
      headers.set("mcp-protocol-version", this.#protocolVersion);
    }
    return headers;
  }

  async send(message: JsonRpcMessage, signal?: AbortSignal): Promise<void> {
    const { server, url } = this.#options;
    if (this.#closed !== undefined) {
      throw new McpError(server, `Cannot send to MCP server "${server}": the connection is closed`);
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#inFlight.add(controller);
    const hadSession = this.#sessionId !== undefined;
    try {
      let response: Response;
      try {
        response = await this.#options.fetch(url, {
          method: "POST",
          headers: this.#headers({
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          }),
          body: JSON.stringify(message),
          signal: controller.signal,
        });
      } catch (error) {
        if (controller.signal.aborted) throw controller.signal.reason ?? error;
        throw new McpError(
          server,
          `Cannot reach MCP server "${server}" at ${url.href}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const sessionId = response.headers.get("mcp-session-id");
      if (sessionId !== null && "method" in message && message.method === "initialize") {
        this.#sessionId = sessionId;
      }
      if (response.status === 404 && hadSession) {
        await response.body?.cancel();
        this.#sessionId = undefined;
        throw new SessionExpiredError(
          `MCP server "${server}" no longer knows session; starting a new one`,
        );
      }
      if (!response.ok) {
        const text = ((await readLimited(response, ERROR_BODY_LIMIT).catch(() => "")) ?? "")
          .slice(0, 500);
        this.#lastError = `HTTP ${response.status} ${response.statusText}: ${text}`;
        // A JSON-RPC error body answers the request: deliver it so the caller sees the code.
        const messages = parseMessages(text);
        const answered = messages?.some((item) => isResponse(item) && item.id !== null);
        if (answered && messages !== undefined) {
          for (const item of messages) this.#events?.message(item);
          return;
        }
        throw new McpError(
          server,
          `MCP server "${server}" answered HTTP ${response.status} ${response.statusText} at ${url.href}${
            text === "" ? "" : `: ${text}`
          }${
            response.status === 401 || response.status === 403
              ? "; check 'headers' (authorization)"
              : ""
          }`,
        );
      }
      if (response.status === 202 || isResponse(message) || !("id" in message)) {
        await response.body?.cancel();
        return;
      }
      await this.#readAnswer(response, message.id);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#inFlight.delete(controller);
    }
  }

  async #readAnswer(response: Response, id: string | number | null): Promise<void> {
    const { server, url, maxMessageBytes } = this.#options;
    try {
      await this.#readMessages(response, id);
    } catch (error) {
      if (error instanceof McpError || response.body === null) throw error;
      if (error instanceof SseLimitError) throw tooLong(server, maxMessageBytes);
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      // The connection broke while the answer was being read.
      throw new McpError(
        server,
        `Cannot read the answer of MCP server "${server}" at ${url.href}: ${
          (error as Error)?.message ?? String(error)
        }`,
        { cause: error },
      );
    }
  }

  async #readMessages(response: Response, id: string | number | null): Promise<void> {
    const { server, maxMessageBytes } = this.#options;
    const type = response.headers.get("content-type") ?? "";
    const deliver = (messages: JsonRpcMessage[]): boolean => {
      let answered = false;
      for (const item of messages) {
        this.#events?.message(item);
        if (isResponse(item) && item.id === id) answered = true;
      }
      return answered;
    };
    if (type.includes("text/event-stream") && response.body !== null) {
      const stream = response.body;
      for await (const event of sseEvents(stream, { maxEventLength: maxMessageBytes })) {
        if (event.event !== "message" || event.data.trim() === "") continue;
        const messages = parseMessages(event.data);
        if (messages === undefined) {
          throw new McpError(
            server,
            `MCP server "${server}" sent an event that is not JSON-RPC: ${
              event.data.slice(0, 200)
            }`,
          );
        }
        if (deliver(messages)) return; // leaving the loop cancels the stream
      }
      throw new McpError(
        server,
        `MCP server "${server}" ended its event stream without answering request ${id}`,
      );
    }
    const text = await readLimited(response, maxMessageBytes);
    if (text === undefined) throw tooLong(server, maxMessageBytes);
    const messages = parseMessages(text);
    if (messages === undefined) {
      throw new McpError(
        server,
        `MCP server "${server}" answered with ${type || "no content type"} that is not JSON-RPC: ${
          text.slice(0, 200)
        }`,
      );
    }
    if (!deliver(messages)) {
      throw new McpError(server, `MCP server "${server}" did not answer request ${id}`);
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    for (const controller of this.#inFlight) {
      controller.abort(new DOMException("MCP connection closed", "AbortError"));
    }
    if (this.#sessionId === undefined) return;
    // End the session politely; servers may answer 405 when they do not allow it.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 2000);
    try {
      const response = await this.#options.fetch(this.#options.url, {
        method: "DELETE",
        headers: this.#headers({}),
        signal: controller.signal,
      });
      await response.body?.cancel();
    } catch {
      // the server may be gone already
    } finally {
      clearTimeout(timer);
      this.#sessionId = undefined;
    }
  }
}
