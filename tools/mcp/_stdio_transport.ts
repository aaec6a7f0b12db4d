import { McpError } from "./mcp_error.ts";
import {
  type JsonRpcMessage,
  parseMessages,
  tooLong,
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
  /** Most bytes one line of stdout may hold. */
  readonly maxMessageBytes: number;
}

const STDERR_KEEP = 8 * 1024;
/** A stderr line is only kept in part: reading more of it is pointless. */
const STDERR_LINE_KEEP = 8 * 1024;
/** The child gets its own process group, so that a wrapper's children can be ended with it. */
// Guarded: the single-file CLI also loads this module on Node, where there is no Deno.
const OWN_GROUP = globalThis.Deno?.build.os !== "windows";
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
  #failed: Error | undefined;
  /** Settles with the error of `#fail` (the process exited, its pipes broke). */
  readonly #failure = Promise.withResolvers<Error>();
  #events: TransportEvents | undefined;
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
        detached: OWN_GROUP,
      }).spawn();
    } catch (error) {
      return Promise.reject(spawnError(server, command, cwd, env, error));
    }
    this.#child = child;
    this.#events = events;
    this.#writer = child.stdin.getWriter();
    this.#readers = [
      this.#readStdout(child.stdout, events),
      this.#readStderr(child.stderr),
    ];
    child.status.then(async (status) => {
      this.#exit = status;
      if (this.#closing) return;
      // A wrapper (npx, sh -c) may have died while the server it started
      // holds the pipes: end the whole group, so the pipes close and every
      // line already written is still delivered.
      await this.#endGroup();
      this.#fail(
        new McpError(
          server,
          `MCP server "${server}" exited (${describeExit(status)})${this.diagnostics()}`,
        ),
      );
    });
    return Promise.resolve();
  }

  /** The connection is unusable: tell the session once, and release everything. */
  #fail(error: Error): void {
    if (this.#failed !== undefined || this.#closing) return;
    this.#failed = error;
    this.#failure.resolve(error);
    this.#events?.dropped(error);
    this.close().catch(() => {});
  }

  /** SIGTERM the child's group, then SIGKILL it, until its pipes are closed. */
  async #endGroup(): Promise<void> {
    const readers = Promise.allSettled(this.#readers);
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      killGroup(this.#child!, signal);
      if (await settlesWithin(readers, this.#options.closeGraceMs)) return;
    }
    await readers;
  }

  async #readStdout(stream: ReadableStream<Uint8Array>, events: TransportEvents): Promise<void> {
    const { server, maxMessageBytes } = this.#options;
    try {
      for await (const line of lines(stream, maxMessageBytes)) {
        if (line === undefined) throw tooLong(server, maxMessageBytes);
        if (line.trim() === "") continue;
        const messages = parseMessages(line);
        if (messages === undefined) {
          // The spec forbids this, but many servers print a banner: keep the line for messages.
          if (this.#noise.length < NOISE_KEEP) this.#noise.push(line.slice(0, 200));
          continue;
        }
        for (const message of messages) events.message(message);
      }
    } catch (error) {
      this.#fail(
        error instanceof McpError ? error : new McpError(
          server,
          `Cannot read from MCP server "${server}": ${(error as Error).message}`,
          { cause: error },
        ),
      );
      return;
    }
    // The process usually exits at the same moment; its exit status says more.
    const exited = await settlesWithin(this.#child!.status, this.#options.closeGraceMs);
    if (!exited && !this.#closing) {
      this.#fail(
        new McpError(
          server,
          `MCP server "${server}" closed its stdout while still running${this.diagnostics()}`,
        ),
      );
    }
  }

  async #readStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const line of lines(stream, STDERR_LINE_KEEP, true)) {
      if (line === undefined) continue;
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
    // Exited but not yet reported (its group is being ended): fail with the drop
    // itself, so the session sees a dropped connection it may reopen.
    if (this.#exit !== undefined && !this.#closing) throw await this.#failure.promise;
    if (
      writer === undefined || this.#closing || this.#exit !== undefined ||
      this.#failed !== undefined
    ) {
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
    // Whatever the child started and left behind (a wrapper's server) goes too.
    await this.#endGroup();
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

/** Signal the child's process group (the child alone where there are no groups). */
function killGroup(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    if (OWN_GROUP) Deno.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * Split a byte stream into UTF-8 lines (without the newline). A line longer
 * than `limit` bytes yields undefined, or its first `limit` bytes when
 * `truncate` is set. Each byte is looked at once however the lines are cut.
 */
export async function* lines(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  truncate = false,
): AsyncGenerator<string | undefined> {
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  let over = false;
  const take = (last: Uint8Array): string => {
    let bytes = last;
    if (parts.length > 0) {
      bytes = new Uint8Array(size + last.byteLength);
      let offset = 0;
      for (const part of [...parts, last]) {
        bytes.set(part, offset);
        offset += part.byteLength;
      }
    }
    parts = [];
    size = 0;
    const end = bytes.byteLength > 0 && bytes[bytes.byteLength - 1] === 13 ? -1 : undefined;
    return decoder.decode(end === undefined ? bytes : bytes.subarray(0, end));
  };
  for await (const chunk of stream) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (over) {
        over = false;
        parts = [];
        size = 0;
        continue;
      }
      if (size + piece.byteLength > limit) {
        if (!truncate) return yield undefined;
        yield take(piece.subarray(0, Math.max(0, limit - size)));
        continue;
      }
      yield take(piece);
    }
    if (start < chunk.byteLength && !over) {
      const rest = chunk.slice(start);
      if (size + rest.byteLength > limit) {
        if (!truncate) return yield undefined;
        yield take(rest.subarray(0, Math.max(0, limit - size)));
        over = true; // skip the rest of this line
        continue;
      }
      parts.push(rest);
      size += rest.byteLength;
    }
  }
  if (size > 0) yield take(new Uint8Array(0));
}
