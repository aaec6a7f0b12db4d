import { mkdir } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { BundleError } from "./bundle_error.ts";
import { bundleScriptedResponses, loadBundle } from "./load_bundle.ts";
import { writeFolderAtomically } from "./_atomic_write.ts";

/**
 * Options of `scaffoldBundle`.
 *
 * @example Choose the name and description
 * ```ts ignore
 * await scaffoldBundle("skills/greeter", {
 *   name: "greeter",
 *   description: "Greets people by name.",
 * });
 * ```
 */
export interface ScaffoldBundleOptions {
  /** Bundle name. @default the folder name in kebab case */
  readonly name?: string;
  /** Description. @default "A new looplet bundle: greets people by name." */
  readonly description?: string;
}

/**
 * What `scaffoldBundle` returns.
 *
 * @example List the files created
 * ```ts ignore
 * const { path, files } = await scaffoldBundle("skills/greeter");
 * console.log(`Created ${path}: ${files.join(", ")}`);
 * ```
 */
export interface ScaffoldedBundle {
  /** The folder written. */
  readonly path: string;
  /** Files created, relative to it. */
  readonly files: readonly string[];
}

const ENTRYPOINT = `/**
 * Entrypoint of this bundle. looplet calls build(runtime) and passes the
 * library as runtime.lib, so this file needs no imports at run time.
 * Run it: looplet run <this folder> "Greet Ada" --scripted
 *
 * @module
 */
import type { AgentPreset, BundleRuntime, ScriptedResponse } from "jsr:@looplet/looplet/bundles";

/** Build the agent: tools, hooks, system prompt, budget. */
export function build(runtime: BundleRuntime): AgentPreset {
  const { tool, z } = runtime.lib;
  const greet = tool({
    name: "greet",
    description: "Greet someone by name.",
    input: z.object({ name: z.string().describe("Who to greet") }),
    execute: ({ name }) => ({ greeting: \`Hello, \${name}!\` }),
  });
  return { tools: [greet], maxSteps: runtime.maxSteps };
}

/** What a model would answer, replayed by --scripted. */
export function scriptedResponses(): ScriptedResponse[] {
  return [
    { toolCalls: [{ name: "greet", args: { name: "Ada" } }] },
    { toolCalls: [{ name: "done", args: { answer: "Greeted Ada" } }] },
  ];
}
`;

/**
 * Create a new bundle folder that runs at once with `--scripted`: SKILL.md
 * and a `looplet.ts` with one tool and a script. The folder must not exist;
 * it is written atomically and checked by loading it.
 *
 * @param dir The folder to create.
 * @param options Name and description.
 * @returns The folder and its files.
 * @throws {BundleError} When the folder exists or the name is not valid.
 * @example
 * ```ts ignore
 * await scaffoldBundle("skills/greeter");
 * ```
 */
export async function scaffoldBundle(
  dir: string,
  options: ScaffoldBundleOptions = {},
): Promise<ScaffoldedBundle> {
  const name = options.name ??
    (basename(dir).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "my-bundle");
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
    throw new BundleError([{
      path: dir,
      field: "name",
      message: `"${name}" must be lowercase letters, digits and hyphens, e.g. my-agent`,
    }]);
  }
  const description = options.description ?? "A new looplet bundle: greets people by name.";
  const skill = `---
name: ${name}
description: ${JSON.stringify(description)}
entrypoint: looplet.ts
tags: [starter]
---
Greet the people named in the task with the greet tool, then call done.
`;
  const files = new Map([["SKILL.md", skill], ["looplet.ts", ENTRYPOINT]]);
  // Like `mkdir -p`: a new bundle may go into folders that do not exist yet.
  await mkdir(dirname(resolve(dir)), { recursive: true });
  await writeFolderAtomically(dir, files, undefined, async (temp) => {
    await bundleScriptedResponses(await loadBundle(temp));
  });
  return { path: dir, files: [...files.keys()] };
}
