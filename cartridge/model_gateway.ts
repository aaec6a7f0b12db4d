import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { Backend } from "../loop/types.ts";

/** The MGP version this host speaks. */
export const MGP_VERSION = "0.1";

/**
 * An MGP (Model Gateway Protocol) server in this process: out-of-process
 * tools and hooks reach the host's model through its socket.
 *
 * @example Serve the run's backend to the servers a cartridge starts
 * ```ts ignore
 * const gateway = await startModelGateway();
 * gateway.bind(llm);
 * // children get LOOPLET_LLM_SOCKET=gateway.socketPath
 * await gateway.close();
 * ```
 */
export interface ModelGateway {
  /** The socket path (exported to children as `LOOPLET_LLM_SOCKET`). */
  readonly socketPath: string;
  /** Bind the backend `llm/generate` calls go to (`undefined` unbinds). */
  bind(backend: Backend | undefined): void;
  /** Stop serving and remove the socket. */
  close(): Promise<void>;
}

/**
 * Start a model gateway on a fresh Unix socket. Wire: line-delimited JSON,
 * `llm/initialize` → `{ mgp_version, ready }`, `llm/generate`
 * `{ prompt, kwargs: { max_tokens?, temperature?, system? } }` → `{ text }`
 * (an error `{ message: "no LLM backend is bound" }` until `bind`),
 * `llm/shutdown` → `{ ok }`. Each `generate` is one single-turn call to the
 * bound backend with no tools (`purpose: "tool_internal"`).
 *
 * @returns The gateway.
 * @example Start a gateway
 * ```ts ignore
 * const gateway = await startModelGateway();
 * ```
 */
export async function startModelGateway(): Promise<ModelGateway> {
  const dir = await mkdtemp(join(tmpdir(), "looplet-mgp-"));
  const socketPath = join(dir, "llm.sock");
  const connections = new Set<Socket>();
  const controller = new AbortController();
  let backend: Backend | undefined;

  const answer = async (request: { id?: unknown; method?: unknown; params?: unknown }) => {
    const params = (request.params ?? {}) as { prompt?: unknown; kwargs?: Record<string, unknown> };
    switch (request.method) {
      case "llm/initialize":
        return { result: { mgp_version: MGP_VERSION, ready: backend !== undefined } };
      case "llm/shutdown":
        return { result: { ok: true } };
      case "llm/generate": {
        if (backend === undefined) return { error: { message: "no LLM backend is bound" } };
        if (typeof params.prompt !== "string") {
          return { error: { message: "llm/generate needs params.prompt, a string" } };
        }
        const kwargs = params.kwargs ?? {};
        try {
          const turn = await backend.generate({
            messages: [{ role: "user", content: params.prompt }],
            systemPrompt: typeof kwargs.system === "string" ? kwargs.system : "",
            tools: [],
            ...(typeof kwargs.max_tokens === "number" ? { maxTokens: kwargs.max_tokens } : {}),
            ...(typeof kwargs.temperature === "number" ? { temperature: kwargs.temperature } : {}),
            purpose: "tool_internal",
          }, { signal: controller.signal });
          return { result: { text: turn.text } };
        } catch (error) {
          return { error: { message: (error as Error).message } };
        }
      }
      default:
        return { error: { message: `unknown method ${JSON.stringify(request.method)}` } };
    }
  };

  const serve = async (connection: Socket) => {
    connections.add(connection);
    // A client that went away: its error ends the read loop below.
    connection.on("error", () => {});
    const send = (message: unknown) =>
      new Promise<void>((resolve, reject) => {
        connection.write(
          JSON.stringify(message) + "\n",
          (error) => (error ? reject(error) : resolve()),
        );
      });
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of connection as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line === "") continue;
          let request: { id?: unknown; method?: unknown; params?: unknown };
          try {
            request = JSON.parse(line);
          } catch {
            await send({ id: null, error: { message: "the request is not JSON" } });
            continue;
          }
          const reply = await answer(request);
          await send({ id: request.id, ...reply });
        }
      }
    } catch {
      // The client went away.
    } finally {
      connections.delete(connection);
      connection.destroy();
    }
  };

  const listener = createServer((connection) => serve(connection));
  try {
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(socketPath, () => {
        listener.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  const closed = new Promise<void>((resolve) => listener.once("close", () => resolve()));

  return {
    socketPath,
    bind(value) {
      backend = value;
    },
    async close() {
      controller.abort();
      listener.close();
      for (const connection of connections) connection.destroy();
      await closed;
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    },
  };
}
