import { join } from "node:path";

export const REPO = new URL("../../../", import.meta.url).pathname;
export const CLI = join(REPO, "cli.ts");

/** Resolve when `path` exists, watching its folder (no polling sleeps). */
export async function waitForFile(path: string, signal: AbortSignal): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const watcher = Deno.watchFs(dir);
  const stop = () => watcher.close();
  signal.addEventListener("abort", stop, { once: true });
  try {
    if (await Deno.stat(path).then(() => true, () => false)) return;
    for await (const _event of watcher) {
      if (await Deno.stat(path).then(() => true, () => false)) return;
    }
    throw new Error(`gave up waiting for ${path}`);
  } finally {
    signal.removeEventListener("abort", stop);
    try {
      watcher.close();
    } catch {
      // already closed
    }
  }
}

/** Read a child's stream to the end as text. */
export async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) out += chunk;
  return out;
}
