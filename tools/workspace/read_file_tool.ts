import type { FileHandle } from "node:fs/promises";
import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { openWorkspaceFile } from "./_open_workspace_file.ts";
import { workspaceRoot } from "./workspace_path.ts";

const CHUNK_BYTES = 64 * 1024;

/**
 * Options of `readFileTool`.
 *
 * @example Keep less of long files
 * ```ts ignore
 * const read = readFileTool("./project", { maxChars: 6000 });
 * ```
 */
export interface ReadFileToolOptions {
  /** Most characters of numbered content returned; reading stops there. @default 12000 */
  readonly maxChars?: number;
  /** Read files with more than one hard link (they may be files outside the workspace). @default false */
  readonly allowHardLinks?: boolean;
  /** Fail the call after this many milliseconds. @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * What `read_file` returns.
 *
 * @example Show what a `read_file` step returned
 * ```ts ignore
 * import type { ReadFileResult } from "jsr:@looplet/looplet/workspace";
 * for await (const step of run) {
 *   if (step.call.tool !== "read_file" || step.result.error) continue;
 *   const { path, total_lines, next_offset, content } = step.result.data as ReadFileResult;
 *   console.log(`${path} (${total_lines ?? `more from line ${next_offset}`})\n${content}`);
 * }
 * ```
 */
export interface ReadFileResult {
  /** The workspace-relative path. */
  readonly path: string;
  /** Lines as `   1 | text`. */
  readonly content: string;
  /** Lines in the whole file, when the read reached its end. */
  readonly total_lines?: number;
  /** When more lines follow: the `offset` that reads on from where this read stopped. */
  readonly next_offset?: number;
  /** Set when `maxChars` cut the content (a shorter `limit` or a later `offset` reads the rest). */
  readonly truncated?: true;
}

/**
 * Arguments of `read_file`.
 *
 * @example Arguments the model sends to `read_file`
 * ```ts
 * import type { ReadFileArgs } from "jsr:@looplet/looplet/workspace";
 * const args: ReadFileArgs = { path: "src/math.ts", offset: 40, limit: 20 };
 * ```
 */
export interface ReadFileArgs {
  /** File path relative to the workspace. */
  readonly path: string;
  /** First line (1-based). */
  readonly offset?: number;
  /** Most lines. */
  readonly limit?: number;
}

const ReadInput: z.ZodType<ReadFileArgs> = z.object({
  path: z.string().describe("File path relative to the workspace"),
  offset: z.number().int().min(1).optional().describe("First line to read (1-based)"),
  limit: z.number().int().min(1).optional().describe("Most lines to read"),
});

/**
 * The `read_file` tool: read a workspace file with line numbers, optionally a
 * range of lines. It reads only as far as `offset`, `limit` and `maxChars`
 * need (a huge file is never loaded whole), refuses folders, FIFOs, devices,
 * binary files and hard-linked files, and is confined to the workspace
 * without a check-then-use race.
 *
 * @param root The workspace folder.
 * @param options Output cap, hard links, timeout.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const read = readFileTool("./project");
 * ```
 */
export function readFileTool(
  root: string,
  options: ReadFileToolOptions = {},
): Tool<ReadFileArgs, ReadFileResult> {
  const { maxChars = 12_000, allowHardLinks = false, timeoutMs = 30_000 } = options;
  const base = workspaceRoot(root);
  return tool({
    name: "read_file",
    description:
      "Read a text file in the workspace; lines come numbered. Use offset and limit for long files.",
    input: ReadInput,
    concurrencySafe: true,
    timeoutMs,
    execute: async ({ path, offset = 1, limit }, ctx) => {
      const { handle, size } = await openWorkspaceFile(base, path, "read", { allowHardLinks });
      try {
        return await readLines(handle, path, size, { offset, limit, maxChars, signal: ctx.signal });
      } finally {
        await handle.close();
      }
    },
  });
}

interface ReadRange {
  readonly offset: number;
  readonly limit: number | undefined;
  readonly maxChars: number;
  readonly signal: AbortSignal;
}

/** Read only as far as the range and `maxChars` need, one chunk at a time. */
async function readLines(
  handle: FileHandle,
  path: string,
  size: number,
  { offset, limit, maxChars, signal }: ReadRange,
): Promise<ReadFileResult> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(CHUNK_BYTES);
  const kept: string[] = [];
  let chars = 0;
  let lineNumber = 1; // the line being read
  let partial = ""; // the start of that line, when it is wanted (at most maxChars kept)
  let position = 0;
  let stop: "limit" | "chars" | undefined;
  const wanted = () => lineNumber >= offset;
  const endLine = (text: string) => {
    let included = true;
    if (wanted()) {
      const numbered = `${String(lineNumber).padStart(4)} | ${text}`;
      if (chars + numbered.length > maxChars && kept.length > 0) {
        stop = "chars";
        included = false;
      } else if (numbered.length > maxChars) {
        kept.push(`${numbered.slice(0, maxChars)} …`);
        stop = "chars";
      } else {
        kept.push(numbered);
        chars += numbered.length + 1;
      }
      if (included && limit !== undefined && lineNumber - offset + 1 >= limit) stop ??= "limit";
    }
    if (included) lineNumber++;
  };
  let pending = false; // characters after the last newline
  while (stop === undefined) {
    signal.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (position === 0 && buffer.subarray(0, Math.min(bytesRead, 8000)).includes(0)) {
      throw new Error(`File "${path}" is binary (${size} bytes); only text files can be read`);
    }
    if (bytesRead === 0) break;
    position += bytesRead;
    const text = decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
    let start = 0;
    for (
      let at = text.indexOf("\n");
      at >= 0 && stop === undefined;
      at = text.indexOf("\n", start)
    ) {
      endLine(wanted() ? partial + text.slice(start, at) : "");
      partial = "";
      pending = false;
      start = at + 1;
    }
    if (start < text.length) pending = true;
    if (stop === undefined && wanted() && partial.length <= maxChars) {
      partial += text.slice(start, start + maxChars + 1 - partial.length);
    }
  }
  const atEnd = stop === undefined;
  if (atEnd) {
    partial += decoder.decode();
    if (pending || partial !== "") endLine(partial);
  }
  const totalLines = lineNumber - 1;
  return {
    path,
    content: kept.join("\n"),
    ...(atEnd ? { total_lines: totalLines } : { next_offset: lineNumber }),
    ...(stop === "chars" ? { truncated: true as const } : {}),
  };
}
