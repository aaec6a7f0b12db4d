import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { composableLoop } from "../loop/composable_loop.ts";
import type { Step } from "../loop/step.ts";
import { ScriptedBackend, type ScriptedResponse } from "../backends/scripted.ts";
import { CartridgeError } from "./cartridge_error.ts";
import { readCartridge } from "./read_cartridge.ts";
import { buildCartridge, type BuiltCartridge } from "./build_cartridge.ts";

/**
 * The spec-pinned summary of a loaded cartridge (the key set of the
 * conformance suite's `expected.json`, shared with the Python looplet).
 *
 * @example A minimal cartridge's summary
 * ```ts
 * import type { CartridgeSummary } from "jsr:@looplet/looplet/cartridge";
 * const summary: CartridgeSummary = {
 *   max_steps: 15, max_tokens: null, temperature: null, done_tool: "done",
 *   tools: [{ name: "done", requires: [] }], permissions: null,
 *   output_schema_fields: null, model: null, memory_source_count: 0,
 * };
 * ```
 */
export interface CartridgeSummary {
  /** Step budget. */
  readonly max_steps: number;
  /** Output token limit, or null. */
  readonly max_tokens: number | null;
  /** Temperature, or null. */
  readonly temperature: number | null;
  /** The done sentinel. */
  readonly done_tool: string;
  /** Tools sorted by name, with their `requires:`. */
  readonly tools: readonly { readonly name: string; readonly requires: readonly string[] }[];
  /** The permission engine, or null. */
  readonly permissions: {
    readonly default: string;
    readonly rules: readonly {
      readonly tool: string;
      readonly decision: string;
      readonly reason: string;
    }[];
  } | null;
  /** Sorted property names of the done tool's output schema, or null. */
  readonly output_schema_fields: readonly string[] | null;
  /** The model block, or null. */
  readonly model: Readonly<Record<string, unknown>> | null;
  /** How many memory sources reach the prompt. */
  readonly memory_source_count: number;
}

function schemaFields(schema: Readonly<Record<string, unknown>> | undefined): string[] | null {
  if (schema === undefined) return null;
  const fields = new Set<string>();
  const visit = (node: unknown) => {
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.properties === "object" && record.properties !== null) {
      for (const key of Object.keys(record.properties)) fields.add(key);
    }
    for (const key of ["oneOf", "anyOf", "allOf"]) {
      if (Array.isArray(record[key])) (record[key] as unknown[]).forEach(visit);
    }
  };
  visit(schema);
  return [...fields].sort();
}

/**
 * Summarise a built cartridge the way the conformance suite compares it.
 *
 * @param agent The built cartridge.
 * @returns The summary (plain JSON).
 * @example Summarise a cartridge for conformance
 * ```ts ignore
 * const agent = await buildCartridge(await readCartridge("hello.cartridge"));
 * console.log(JSON.stringify(cartridgeSummary(agent)));
 * await agent.close();
 * ```
 */
export function cartridgeSummary(agent: BuiltCartridge): CartridgeSummary {
  const { definition } = agent;
  const requires = new Map(definition.tools.map((spec) => [spec.name, [...spec.requires]]));
  return {
    max_steps: agent.maxSteps,
    max_tokens: definition.maxTokens ?? null,
    temperature: definition.temperature ?? null,
    done_tool: definition.doneTool,
    tools: agent.tools
      .map((candidate) => ({ name: candidate.name, requires: requires.get(candidate.name) ?? [] }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    permissions: definition.permissions
      ? {
        default: definition.permissions.default,
        rules: definition.permissions.rules.map(({ tool, decision, reason }) => ({
          tool,
          decision,
          reason,
        })),
      }
      : null,
    output_schema_fields: schemaFields(definition.outputSchema),
    model: definition.model ?? null,
    memory_source_count: agent.memory.length,
  };
}

/**
 * The result of one conformance case.
 *
 * @example Print failed cases
 * ```ts ignore
 * const report = await runConformance("tests/fixtures/cartridges");
 * for (const result of report.results) if (!result.ok) console.log(result.name, result.detail.join("; "));
 * ```
 */
export interface ConformanceResult {
  /** The case folder name. */
  readonly name: string;
  /** What the case pins. */
  readonly kind: "summary" | "error" | "trajectory";
  /** True when the loader matched. */
  readonly ok: boolean;
  /** Mismatches, one line each (empty when ok). */
  readonly detail: readonly string[];
}

/**
 * Every case of a conformance folder.
 *
 * @example Exit non-zero on a failure
 * ```ts ignore
 * const report = await runConformance("tests/fixtures/cartridges");
 * if (report.failed > 0) throw new Error(`${report.failed} cases failed`);
 * ```
 */
export interface ConformanceReport {
  /** Results, in case-name order. */
  readonly results: readonly ConformanceResult[];
  /** How many passed. */
  readonly passed: number;
  /** How many failed. */
  readonly failed: number;
}

const SUMMARY_KEYS = [
  "max_steps",
  "max_tokens",
  "temperature",
  "done_tool",
  "tools",
  "permissions",
  "output_schema_fields",
  "model",
  "memory_source_count",
];

async function readJson(path: string): Promise<unknown | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw new Error(`${path}: is not valid JSON (${(error as Error).message}); fix the file`);
  }
}

function errorMatches(error: CartridgeError, expectedClass: string): boolean {
  if (expectedClass === "CartridgeSerializationError") return true;
  for (
    let proto = error;
    proto && proto !== Error.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (
      (proto as { constructor: { name: string } }).constructor?.name === expectedClass
    ) return true;
  }
  return error.name === expectedClass;
}

interface TrajectoryEntry {
  readonly step?: number;
  readonly tool: string;
  readonly args?: Record<string, unknown>;
  readonly result?: unknown;
  readonly error?: string | null;
}

async function checkCase(
  dir: string,
  name: string,
  options: ConformanceOptions,
): Promise<ConformanceResult> {
  const cartridge = join(dir, "cartridge");
  const expected = await readJson(join(dir, "expected.json"));
  const expectedError = await readJson(join(dir, "expected_error.json")) as
    | { error_class?: string; message_contains?: string; category?: string }
    | undefined;
  const trajectoryFile = await readJson(join(dir, "expected_trajectory.json"));
  const kind = expectedError !== undefined
    ? "error"
    : trajectoryFile !== undefined
    ? "trajectory"
    : "summary";
  if (expected === undefined && expectedError === undefined && trajectoryFile === undefined) {
    return {
      name,
      kind,
      ok: false,
      detail: ["has no expected.json, expected_error.json or expected_trajectory.json"],
    };
  }
  const build = async () =>
    await buildCartridge(await readCartridge(cartridge, { workspace: options.workspace ?? dir }), {
      workspace: options.workspace ?? dir,
      ask: () => false,
    });

  if (expectedError !== undefined) {
    let agent: BuiltCartridge | undefined;
    try {
      agent = await build();
    } catch (error) {
      if (!(error instanceof CartridgeError)) {
        return {
          name,
          kind,
          ok: false,
          detail: [
            `threw ${(error as Error).name}, not a cartridge error: ${(error as Error).message}`,
          ],
        };
      }
      const detail: string[] = [];
      if (expectedError.error_class && !errorMatches(error, expectedError.error_class)) {
        detail.push(`error class is ${error.name}, expected ${expectedError.error_class}`);
      }
      if (expectedError.category && error.category !== expectedError.category) {
        detail.push(`category is ${error.category}, expected ${expectedError.category}`);
      }
      if (
        expectedError.message_contains && !error.message.includes(expectedError.message_contains)
      ) {
        detail.push(
          `message ${JSON.stringify(error.message)} lacks ${
            JSON.stringify(expectedError.message_contains)
          }`,
        );
      }
      if (error.message.includes("\n")) detail.push("the message spans several lines");
      return { name, kind, ok: detail.length === 0, detail };
    } finally {
      await agent?.close();
    }
    return { name, kind, ok: false, detail: ["loaded, but the case expects a rejection"] };
  }

  let agent: BuiltCartridge;
  try {
    agent = await build();
  } catch (error) {
    return {
      name,
      kind,
      ok: false,
      detail: [`load error: ${(error as Error).name}: ${(error as Error).message}`],
    };
  }
  try {
    const detail: string[] = [];
    if (expected !== undefined) {
      const actual = cartridgeSummary(agent) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
        if (!SUMMARY_KEYS.includes(key)) detail.push(`expected.json: ${key}: unknown summary key`);
        else if (!isDeepStrictEqual(actual[key], value)) {
          detail.push(
            `${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual[key])}`,
          );
        }
      }
    }
    if (trajectoryFile !== undefined) {
      const wanted = (Array.isArray(trajectoryFile)
        ? trajectoryFile
        : (trajectoryFile as { steps?: unknown }).steps) as TrajectoryEntry[] | undefined;
      const stopReason = Array.isArray(trajectoryFile)
        ? undefined
        : (trajectoryFile as { stop_reason?: string }).stop_reason;
      if (!Array.isArray(wanted)) {
        detail.push("expected_trajectory.json: must be a list of steps, or { steps, stop_reason }");
        return { name, kind, ok: false, detail };
      }
      const script = (await readJson(join(dir, "script.json")) as ScriptedResponse[] | undefined) ??
        wanted.map((entry) => ({ toolCalls: [{ name: entry.tool, args: entry.args ?? {} }] }));
      const llm = new ScriptedBackend(script);
      const run = composableLoop(
        agent.loopOptions(llm, options.task ?? "Run the conformance script"),
      );
      const steps: Step[] = [];
      for await (const step of run) {
        steps.push(step); // not Array.fromAsync: Node 20 lacks it
      }
      const outcome = await run.outcome;
      if (steps.length !== wanted.length) {
        detail.push(`${steps.length} steps, expected ${wanted.length}`);
      }
      wanted.forEach((entry, index) => {
        const step = steps[index];
        if (step === undefined) {
          return;
        }
        const at = `step ${index + 1}`;
        if (entry.step !== undefined && entry.step !== step.number) {
          detail.push(`${at}: number ${step.number}, expected ${entry.step}`);
        }
        if (step.call.tool !== entry.tool) {
          detail.push(`${at}: tool ${step.call.tool}, expected ${entry.tool}`);
        }
        if (entry.args !== undefined && !isDeepStrictEqual({ ...step.call.args }, entry.args)) {
          detail.push(
            `${at}: args ${JSON.stringify(step.call.args)}, expected ${JSON.stringify(entry.args)}`,
          );
        }
        const error = step.result.error ?? null;
        if (entry.error === null || entry.error === undefined) {
          if (error !== null) {
            detail.push(`${at}: failed with ${JSON.stringify(error)}, expected success`);
          } else if ("result" in entry && !isDeepStrictEqual(step.result.data, entry.result)) {
            detail.push(
              `${at}: result ${JSON.stringify(step.result.data)}, expected ${
                JSON.stringify(entry.result)
              }`,
            );
          }
        } else if (error === null || !error.includes(entry.error)) {
          detail.push(
            `${at}: error ${JSON.stringify(error)}, expected one containing ${
              JSON.stringify(entry.error)
            }`,
          );
        }
      });
      if (stopReason !== undefined && outcome.stopReason !== stopReason) {
        detail.push(`stop reason ${outcome.stopReason}, expected ${stopReason}`);
      }
    }
    return { name, kind, ok: detail.length === 0, detail };
  } finally {
    await agent.close();
  }
}

/**
 * Options of `runConformance`.
 *
 * @example Run the cases in a scratch workspace
 * ```ts ignore
 * const report = await runConformance("tests/fixtures/cartridges", { workspace: await Deno.makeTempDir() });
 * ```
 */
export interface ConformanceOptions {
  /** Where tools and servers run. @default each case's folder */
  readonly workspace?: string;
  /** The task of trajectory cases. @default "Run the conformance script" */
  readonly task?: string;
  /** Only cases whose folder name includes this text. */
  readonly filter?: string;
}

/**
 * Run a folder of conformance cases (the layout the spec's conformance
 * section describes). Each case is a folder holding `cartridge/` and one of:
 * `expected.json` (the summary keys to compare, a subset of
 * `CartridgeSummary`), `expected_error.json` (`{ error_class,
 * message_contains?, category? }`: the load must fail; `error_class` is
 * matched against the error's class and its ancestors, and the Python
 * umbrella `CartridgeSerializationError` matches any cartridge rejection),
 * or `expected_trajectory.json` (a list of `{ step, tool, args, result,
 * error }`, or `{ steps, stop_reason }`): the cartridge runs against the
 * replies of `script.json` (default: one reply per expected step calling its
 * tool with its args); tool, args, result, error and order must match, and
 * an expected error string must be contained in the step's error.
 *
 * @param dir The folder of cases.
 * @param options Workspace, task, filter.
 * @returns The report.
 * @throws {Error} When the folder has no cases.
 * @example Run a folder of conformance cases
 * ```ts ignore
 * const { passed, failed } = await runConformance("tests/fixtures/cartridges");
 * ```
 */
export async function runConformance(
  dir: string,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    throw new Error(
      `Cannot run conformance cases in "${dir}": it is not a folder; pass the folder of cases`,
    );
  }
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
    .filter((name) => options.filter === undefined || name.includes(options.filter));
  const cases: string[] = [];
  for (const name of names) {
    if (await stat(join(dir, name, "cartridge")).then((info) => info.isDirectory(), () => false)) {
      cases.push(name);
    }
  }
  if (cases.length === 0) {
    throw new Error(
      `Cannot run conformance cases in "${dir}": no case folder holds a cartridge/ folder`,
    );
  }
  const results: ConformanceResult[] = [];
  for (const name of cases) results.push(await checkCase(join(dir, name), name, options));
  const passed = results.filter((result) => result.ok).length;
  return { results, passed, failed: results.length - passed };
}
