// Helpers for the cartridge tests that start Python servers.
import { fileURLToPath as fromFileUrl } from "node:url";

/** The fixture folders. */
export const PORTABLE: string = fromFileUrl(new URL("../../fixtures/portable/", import.meta.url));
export const CASES: string = fromFileUrl(new URL("../../fixtures/cartridges/", import.meta.url));

/** A fresh workspace with a `.pids` folder the fixture servers write their pids into. */
export async function workspaceWithPids(): Promise<string> {
  const workspace = await Deno.makeTempDir({ prefix: "looplet-cartridge-e2e-" });
  await Deno.mkdir(`${workspace}/.pids`);
  return workspace;
}

/** The pids the servers wrote, by server kind. */
export async function serverPids(workspace: string): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  for await (const entry of Deno.readDir(`${workspace}/.pids`)) {
    pids.set(entry.name, Number(await Deno.readTextFile(`${workspace}/.pids/${entry.name}`)));
  }
  return pids;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}
