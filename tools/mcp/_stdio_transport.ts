import { McpError } from "./mcp_error.ts";
import {
  type JsonRpcMessage,
  parseMessages,
  type Transport,
  type TransportEvents,
} from "./_json_rpc.ts";

/** What the stdio transport needs. */
export interface StdioTransportOptions {
  readonly server: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
  /** Called with each line the server writes to stderr. */
  readonly onStderr?: (line: string) => void;
  /** Wait this long for the process to exit after stdin closes, then SIGTERM, then SIGKILL. */
  readonly closeGraceMs: number;
}

const STDERR_KEEP = 8 * 1024;
const NOISE_KEEP = 5;

/** Newline-delimited JSON-RPC over a child process's stdin and stdout. */
export class StdioTransport implements Transport {
  readonly #options: StdioTransportOptions;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #readers: Promise<void>[] = [];
  #stderr = "";
  #noise: string[] = [];
  #closing = false;
  #closed: Promise<void> | undefined;
  #exit: Deno.CommandStatus | undefined;
  readonly #encoder = new TextEncoder();

  constructor(options: StdioTransportOptions) {
    this.#options = options;
  }

  start(events: TransportEvents): Promise<void> {
    const { server, command, args, env, cwd } = this.#options;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command, {
        args: [...args],
        env,
        clearEnv: true,
        ...(cwd !== undefined ? { cwd } : {}),
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      return Promise.reject(spawnError(server, command, cwd, env, error));
    }
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#readers = [
      this.#readStdout(child.stdout, events),
      this.#readStderr(child.stderr),
    ];
    child.status.then(async (status) => {
      this.#exit = status;
      await Promise.allSettled(this.#readers); // deliver every last line first
      if (this.#closing) return;
      events.dropped(
        new McpError(
          server,
          `MCP server "${server}" exited (${describeExit(status)})${this.diagnostics()}`,
        ),
      );
    });
    return Promise.resolve();
  }

  async #readStdout(stream: ReadableStream<Uint8Array>, events: TransportEvents): Promise<void> {
    for await (const line of lines(stream)) {
      if (line.trim() === "") continue;
      const messages = parseMessages(line);
      if (messages === undefined) {
        // The spec forbids this, but many servers print a banner: keep the line for messages.
        if (this.#noise.length < NOISE_KEEP) this.#noise.push(line.slice(0, 200));
        continue;
      }
      for (const message of messages) events.message(message);
    }
  }

  async #readStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const line of lines(stream)) {
      this.#stderr = (this.#stderr + line + "\n").slice(-STDERR_KEEP);
      try {
        this.#options.onStderr?.(line);
      } catch {
        // a failing listener must not stop the capture
      }
    }
  }

  async send(message: JsonRpcMessage): Promise<void> {
    const writer = this.#writer;
    if (writer === undefined || this.#closing || this.#exit !== undefined) {
      throw new McpError(
        this.#options.server,
        `Cannot write to MCP server "${this.#options.server}": its process is not running`,
      );
    }
    try {
      await writer.write(this.#encoder.encode(JSON.stringify(message) + "\n"));
    } catch (error) {
      throw new McpError(
        this.#options.server,
        `Cannot write to MCP server "${this.#options.server}": ${
          (error as Error).message
        }${this.diagnostics()}`,
        { cause: error },
      );
    }
  }

  setProtocolVersion(): void {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  stderr(): string {
    return this.#stderr;
  }

  diagnostics(): string {
    const parts: string[] = [];
    if (this.#noise.length > 0) {
      parts.push(
        `it wrote lines to stdout that are not JSON-RPC (a stdio server must log to stderr): ${
          this.#noise.map((line) => JSON.stringify(line)).join(", ")
        }`,
      );
    }
    const stderr = this.#stderr.trim();
    if (stderr !== "") parts.push(`stderr: ${stderr.slice(-1000)}`);
    return parts.length > 0 ? `; ${parts.join("; ")}` : "";
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    this.#closing = true;
    const child = this.#child;
    if (child === undefined) return;
    // The spec's order: close stdin, wait, SIGTERM, wait, SIGKILL.
    await this.#writer?.close().catch(() => {});
    if (!(await settlesWithin(child.status, this.#options.closeGraceMs))) {
      kill(child, "SIGTERM");
      if (!(await settlesWithin(child.status, this.#options.closeGraceMs))) kill(child, "SIGKILL");
    }
    await child.status;
    await Promise.allSettled(this.#readers);
  }
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeExit(status: Deno.CommandStatus): string {
  return status.signal !== null ? `killed by ${status.signal}` : `exit code ${status.code}`;
}

function spawnError(
  server: string,
  command: string,
  cwd: string | undefined,
  env: Record<string, string>,
  error: unknown,
): Error {
  if (error instanceof Deno.errors.NotFound) {
    const where = cwd !== undefined ? ` (cwd "${cwd}")` : "";
    const path = env.PATH === undefined
      ? "the server's environment has no PATH; pass one in 'env' or use an absolute path"
      : `searched PATH=${JSON.stringify(env.PATH)}`;
    return new McpError(
      server,
      `Cannot start MCP server "${server}": command "${command}" was not found${where}; ${path}`,
      { cause: error },
    );
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new McpError(
      server,
      `Cannot start MCP server "${server}": not allowed to run "${command}"; grant --allow-run=${command}`,
      { cause: error },
    );
  }
  return new McpError(
    server,
    `Cannot start MCP server "${server}": ${(error as Error).message}`,
    { cause: error },
  );
}

/** Split a byte stream into UTF-8 lines (without the newline). */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      yield buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
    }
  }
  buffer += decoder.decode();
  if (buffer !== "") yield buffer;
}
