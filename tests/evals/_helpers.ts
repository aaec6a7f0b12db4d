export {
  captureIo,
  greet,
  HELLO_SCRIPT,
  record,
  REFERENCE_TRACE,
  tempDir,
} from "../provenance/_helpers.ts";

export const EVALS_OK = new URL("./fixtures/evals_ok", import.meta.url).pathname;
export const EVALS_MIXED = new URL("./fixtures/evals_mixed", import.meta.url).pathname;
