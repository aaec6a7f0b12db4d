/**
 * One recorded model call: a line of `manifest.jsonl` (snake_case).
 *
 * @example Find the failed model calls
 * ```ts ignore
 * await composableLoop({ llm: sink.wrap(llm), task, hooks: [sink.hook()] }).complete();
 * const lines = (await Deno.readTextFile(`${sink.dir}/manifest.jsonl`)).trim().split("\n");
 * for (const call of lines.map((line) => JSON.parse(line) as ProvenanceCallRecord)) {
 *   if (call.error === null) continue;
 *   console.log(`call ${call.index} (step ${call.step_num}): ${call.error}`);
 * }
 * ```
 */
export type ProvenanceCallRecord = Readonly<Record<string, unknown>> & {
  readonly index: number;
  readonly scope: string | null;
  readonly step_num: number | null;
  readonly turn: number | null;
  readonly error: string | null;
};
