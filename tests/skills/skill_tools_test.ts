// skillTools + skillActivationHook: lazy skills in a run, on the skill fixture folders.
import assert from "node:assert/strict";
import { composableLoop, ScriptedBackend } from "../../mod.ts";
import {
  ACTIVE_SKILLS_HEADING,
  skillActivationHook,
  SkillStore,
  skillTools,
} from "../../skills/mod.ts";

const FIXTURES = new URL("../fixtures/skills/", import.meta.url).pathname;
const call = ScriptedBackend.call;

Deno.test("search_skills / activate_skill: instructions appear in the prompts after activation", async () => {
  const store = await SkillStore.load(FIXTURES);
  const llm = new ScriptedBackend([
    call("search_skills", { query: "brand colors" }),
    call("activate_skill", { name: "house-style" }),
    call("activate_skill", { name: "house-styl" }),
    call("done", { answer: "styled" }),
  ], { recordRequests: true });
  const outcome = await composableLoop({
    llm,
    tools: skillTools(store),
    task: "Style the deck",
    hooks: [skillActivationHook(store)],
  }).complete();
  const [search, activate, typo] = outcome.state.steps;
  const found = (search!.result.data as { skills: { name: string }[] }).skills;
  assert.equal(found[0]!.name, "house-style");
  assert.deepEqual(activate!.result.data, {
    activated: "house-style",
    description: store.get("house-style").description,
    active_skills: ["house-style"],
  });
  assert.match(
    typo!.result.error ?? "",
    /Unknown skill "house-styl"\. Did you mean "house-style"\?/,
  );
  assert.deepEqual(outcome.state.metadata.active_skills, ["house-style"]);
  const injected = (i: number) =>
    llm.requests[i]!.messages.filter((m) => m.content.startsWith(ACTIVE_SKILLS_HEADING));
  assert.equal(injected(0).length + injected(1).length, 0, "nothing before activation");
  const block = injected(2)[0]!.content;
  assert.ok(
    block.startsWith(
      `${ACTIVE_SKILLS_HEADING}\n\n## house-style\n\n# House Style`,
    ),
  );
  assert.equal(injected(3).length, 1, "re-rendered each turn, never stored in the transcript");
});

Deno.test("skillActivationHook({ active }) injects from the first turn; unknown names are refused", async () => {
  const store = await SkillStore.load(FIXTURES);
  const llm = new ScriptedBackend([call("done", { answer: "x" })], { recordRequests: true });
  await composableLoop({
    llm,
    task: "x",
    hooks: [skillActivationHook(store, { active: ["palette-kit", "status-updates"] })],
  }).complete();
  const content = llm.requests[0]!.messages.at(-1)!.content;
  assert.ok(content.indexOf("## palette-kit") < content.indexOf("## status-updates"));
  assert.throws(() => skillActivationHook(store, { active: ["nope"] }), /Unknown skill "nope"/);
});
