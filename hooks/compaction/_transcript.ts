import type { Message } from "../../loop/types.ts";

/** Index of the first message after the head (leading system messages and the task). */
export function headEnd(messages: readonly Message[]): number {
  let index = 0;
  while (messages[index]?.role === "system") index++;
  if (messages[index]?.role === "user") index++;
  return index;
}

/**
 * Where a kept tail of about `keep` messages may start: never on a tool
 * message, so every kept tool result keeps the assistant call it answers.
 */
export function tailStart(messages: readonly Message[], keep: number, head: number): number {
  let start = Math.max(head, messages.length - keep);
  while (start > head && messages[start]?.role === "tool") start--;
  return start;
}
