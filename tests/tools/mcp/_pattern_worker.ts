// Validates one value against one schema off the test's thread, so that a
// validator that never returns can be stopped at the test's deadline.
import { jsonSchemaInput } from "../../../tools/mcp/json_schema_input.ts";

/** The worker's side of the channel (typed here: the test config has no worker lib). */
const port = self as unknown as {
  onmessage: (event: MessageEvent) => void;
  postMessage(message: unknown): void;
};

port.onmessage = (event: MessageEvent) => {
  const { schema, value } = event.data;
  const started = performance.now();
  const result = jsonSchemaInput(schema).safeParse(value);
  port.postMessage({ result, ms: performance.now() - started });
};
