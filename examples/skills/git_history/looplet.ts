/**
 * The git-history bundle: a mixed shape. Two tools are built in code from
 * `runtime.lib` (hotspots, owners), one is declarative (tools/recent_commits,
 * a JS module), and a custom renderStep prints each finding on one line.
 *
 * @module
 */
import type { AgentPreset, BundleRuntime, ScriptedResponse, Step } from "../../../bundles/mod.ts";

async function git(runtime: BundleRuntime, args: string[], signal: AbortSignal): Promise<string> {
  const run = await runtime.lib.runCommand("git", args, {
    cwd: runtime.workspace,
    timeoutMs: 30_000,
    signal,
  });
  if (run.exitCode !== 0) {
    throw new Error(
      `git ${args[0]} failed: ${
        run.stderr.trim() || `exit ${run.exitCode}`
      }; is the workspace a git repository?`,
    );
  }
  return run.stdout;
}

/** Build the analyst: hotspots and owners from git, plus the declarative recent_commits. */
export function build(runtime: BundleRuntime): AgentPreset {
  const { tool, z, think } = runtime.lib;
  const hotspots = tool({
    name: "hotspots",
    description:
      "Rank files by how many commits touched them and how many lines changed, over the last N commits.",
    input: z.object({
      commits: z.number().int().min(1).max(5000).default(200).describe(
        "How many recent commits to scan",
      ),
      limit: z.number().int().min(1).max(50).default(10).describe("How many files to return"),
    }),
    concurrencySafe: true,
    execute: async ({ commits, limit }, ctx) => {
      const text = await git(
        runtime,
        ["log", `-n${commits}`, "--numstat", "--format=%x00"],
        ctx.signal,
      );
      const files = new Map<string, { commits: number; lines: number }>();
      for (const line of text.split("\n")) {
        const [, added, deleted, path] = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line) ?? [];
        if (path === undefined) continue;
        const entry = files.get(path) ?? { commits: 0, lines: 0 };
        entry.commits++;
        entry.lines += (Number(added) || 0) + (Number(deleted) || 0);
        files.set(path, entry);
      }
      const ranked = [...files].map(([path, stats]) => ({ path, ...stats }))
        .sort((a, b) => b.commits - a.commits || b.lines - a.lines || a.path.localeCompare(b.path));
      return { files: ranked.slice(0, limit), total: ranked.length };
    },
  });
  const owners = tool({
    name: "owners",
    description: "Who committed most to a path (file or folder), by number of commits.",
    input: z.object({
      path: z.string().min(1).describe("File or folder, relative to the repository"),
    }),
    concurrencySafe: true,
    execute: async ({ path }, ctx) => {
      if (path.startsWith("/") || path.split("/").includes("..")) {
        throw new Error(`Path "${path}" must be relative to the repository, without ".."`);
      }
      const text = await git(
        runtime,
        ["shortlog", "-sn", "--no-merges", "HEAD", "--", path],
        ctx.signal,
      );
      const authors = text.split("\n").map((line) => /^\s*(\d+)\t(.+)$/.exec(line))
        .filter((match) => match !== null)
        .map((match) => ({ author: match![2], commits: Number(match![1]) }));
      return { path, authors };
    },
  });
  return { tools: [hotspots, owners, think], maxSteps: runtime.maxSteps };
}

/** A plausible analysis, replayed by --scripted. */
export function scriptedResponses(): ScriptedResponse[] {
  return [
    { toolCalls: [{ name: "recent_commits", args: { count: 5 } }] },
    { toolCalls: [{ name: "hotspots", args: { commits: 100, limit: 5 } }] },
    { toolCalls: [{ name: "owners", args: { path: "." } }] },
    {
      toolCalls: [{
        name: "done",
        args: {
          answer:
            "Hotspots and owners listed above; watch the most-changed file, it has a single owner.",
        },
      }],
    },
  ];
}

/** One line per finding. */
export function renderStep(step: Step): string | undefined {
  if (step.failed) return undefined;
  const data = step.result.data as Record<string, unknown>;
  if (step.call.tool === "hotspots") {
    const files = data.files as { path: string; commits: number }[];
    return `#${step.number} ✓ hotspots: ${
      files.slice(0, 3).map((file) => `${file.path} (${file.commits})`).join(", ") || "none"
    }`;
  }
  if (step.call.tool === "owners") {
    const authors = data.authors as { author: string; commits: number }[];
    return `#${step.number} ✓ owners of ${data.path}: ${
      authors.slice(0, 3).map((a) => `${a.author} (${a.commits})`).join(", ") || "none"
    }`;
  }
  return undefined;
}
