export { greet, HELLO_SCRIPT, record, REFERENCE_TRACE, tempDir } from "../provenance/_helpers.ts";

export const EVALS_OK = new URL("./fixtures/evals_ok", import.meta.url).pathname;
export const EVALS_MIXED = new URL("./fixtures/evals_mixed", import.meta.url).pathname;

export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: (text: string) => void out.push(text),
      stderr: (text: string) => void err.push(text),
    },
  };
}
