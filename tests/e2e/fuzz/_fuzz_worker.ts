// Runs one fuzz group or complexity probe off the test's thread, so that a
// parser that never returns can be stopped at the test's deadline.
import {
  FAMILIES,
  fuzzFrontMatter,
  fuzzJsonSchema,
  fuzzPatterns,
  fuzzSse,
  fuzzStdioLines,
  fuzzToolCalls,
  growth,
} from "./_fuzz_cases.ts";

const GROUPS = {
  toolCalls: fuzzToolCalls,
  sse: fuzzSse,
  stdioLines: fuzzStdioLines,
  jsonSchema: fuzzJsonSchema,
  patterns: fuzzPatterns,
  frontMatter: fuzzFrontMatter,
};

/** The worker's side of the channel (typed here: the test config has no worker lib). */
const port = self as unknown as {
  onmessage: (event: MessageEvent) => void;
  postMessage(message: unknown): void;
};

port.onmessage = async (event: MessageEvent) => {
  const { kind, name, seed, count, size } = event.data;
  try {
    if (kind === "fuzz") {
      const result = await GROUPS[name as keyof typeof GROUPS](seed, count);
      port.postMessage({ ok: true, result });
    } else {
      const family = FAMILIES.find((item) => item.name === name)!;
      port.postMessage({ ok: true, result: growth(family, size) });
    }
  } catch (error) {
    port.postMessage({ ok: false, error: String(error) });
  }
};
