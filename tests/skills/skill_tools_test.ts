// skillTools + skillActivationHook: lazy skills in a run, on the real skill folders.
import assert from "node:assert/strict";
import { composableLoop, ScriptedBackend } from "../../mod.ts";
import {
  ACTIVE_SKILLS_HEADING,
  skillActivationHook,
  SkillStore,
  skillTools,
} from "../../skills/mod.ts";

const FIXTURES = new URL("../../../shared/fixtures/claude-skills/", import.meta.url).pathname;
const call = ScriptedBackend.call;

Deno.test("search_skills / activate_skill: instructions appear in the prompts after activation", async () => {
  const store = await SkillStore.load(FIXTURES);
  const llm = new ScriptedBackend([
    call("search_skills", { query: "brand colors" }),
    call("activate_skill", { name: "brand-guidelines" }),
    call("activate_skill", { name: "brand-guideline" }),
    call("done", { answer: "styled" }),
  ]);
  const outcome = await composableLoop({
    llm,
    tools: skillTools(store),
    task: "Style the deck",
    hooks: [skillActivationHook(store)],
  }).complete();
  const [search, activate, typo] = outcome.state.steps;
  const found = (search!.result.data as { skills: { name: string }[] }).skills;
  assert.equal(found[0]!.name, "brand-guidelines");
  assert.deepEqual(activate!.result.data, {
    activated: "brand-guidelines",
    description: store.get("brand-guidelines").description,
    active_skills: ["brand-guidelines"],
  });
  assert.match(
    typo!.result.error ?? "",
    /Unknown skill "brand-guideline"\. Did you mean "brand-guidelines"\?/,
  );
  assert.deepEqual(outcome.state.metadata.active_skills, ["brand-guidelines"]);
  const injected = (i: number) =>
    llm.requests[i]!.messages.filter((m) => m.content.startsWith(ACTIVE_SKILLS_HEADING));
  assert.equal(injected(0).length + injected(1).length, 0, "nothing before activation");
  const block = injected(2)[0]!.content;
  assert.ok(
    block.startsWith(
      `${ACTIVE_SKILLS_HEADING}\n\n## brand-guidelines\n\n# Anthropic Brand Styling`,
    ),
  );
  assert.equal(injected(3).length, 1, "re-rendered each turn, never stored in the transcript");
});

Deno.test("skillActivationHook({ active }) injects from the first turn; unknown names are refused", async () => {
  const store = await SkillStore.load(FIXTURES);
  const llm = new ScriptedBackend([call("done", { answer: "x" })]);
  await composableLoop({
    llm,
    task: "x",
    hooks: [skillActivationHook(store, { active: ["theme-factory", "internal-comms"] })],
  }).complete();
  const content = llm.requests[0]!.messages.at(-1)!.content;
  assert.ok(content.indexOf("## theme-factory") < content.indexOf("## internal-comms"));
  assert.throws(() => skillActivationHook(store, { active: ["nope"] }), /Unknown skill "nope"/);
});
