// Small tools shared by the loop tests.
import { z } from "zod";
import { tool } from "../../mod.ts";

export const greet = tool({
  name: "greet",
  description: "Greet someone by name.",
  input: z.object({ name: z.string() }),
  execute: ({ name }) => ({ greeting: `Hello, ${name}!` }),
});

export const add = tool({
  name: "add",
  description: "Add two numbers.",
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => ({ sum: a + b }),
  concurrencySafe: true,
});

export const boom = tool({
  name: "boom",
  description: "Always throws.",
  input: z.object({}),
  execute: () => {
    throw new Error("kaboom");
  },
});

/** A tool that never returns unless aborted. */
export const hang = tool({
  name: "hang",
  description: "Never returns.",
  input: z.object({}),
  execute: (_args, ctx) =>
    new Promise((_, reject) =>
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))
    ),
  timeoutMs: 30,
});

/** A concurrency-safe tool that records how many of its calls run at once. */
export function sleeper(record: { running: number; peak: number }, ms = 20) {
  return tool({
    name: "sleep",
    description: "Sleep a little.",
    input: z.object({ id: z.number() }),
    concurrencySafe: true,
    execute: async ({ id }) => {
      record.running++;
      record.peak = Math.max(record.peak, record.running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      record.running--;
      return { id };
    },
  });
}
