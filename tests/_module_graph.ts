// The module graph `deno info --json` reports for an entry of this checkout.

/** One module of the graph and what it imports. */
export interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: readonly { specifier: string; code?: unknown; isDynamic?: boolean }[];
}

/** The modules `entry` (a path relative to the repository root) loads, with this deno.json. */
export async function moduleGraph(entry: string): Promise<GraphModule[]> {
  const root = new URL("../", import.meta.url);
  const { stdout, stderr, code } = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--config",
      new URL("deno.json", root).pathname,
      new URL(entry, root).pathname,
    ],
    signal: AbortSignal.timeout(30_000),
  }).output();
  if (code !== 0) throw new Error(`deno info ${entry} failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout)).modules;
}
