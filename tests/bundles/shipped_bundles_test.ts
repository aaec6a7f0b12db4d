import assert from "node:assert/strict";
import { SHIPPED_BUNDLES } from "../../bundles/_shipped_bundles.ts";
import { shippedBundlesSource } from "../../packages/cli/embed_shipped_bundles.ts";

Deno.test("bundles/_shipped_bundles.ts holds the current examples/skills (else run packages/cli/embed_shipped_bundles.ts)", async () => {
  const source = await shippedBundlesSource();
  const json = source.slice(source.indexOf("= ") + 2, source.lastIndexOf(";"));
  assert.deepEqual(
    SHIPPED_BUNDLES,
    JSON.parse(json),
    "stale: run `deno run -A packages/cli/embed_shipped_bundles.ts`",
  );
  assert.deepEqual(Object.keys(SHIPPED_BUNDLES), ["coder", "dep_audit", "git_history"]);
});
