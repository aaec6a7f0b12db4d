/**
 * Transcript rendering for models without native tool calling: assistant
 * tool calls and `tool` results become plain text turns the model can read,
 * and consecutive turns of one role are merged so roles alternate.
 *
 * @module
 */

import type { Message } from "../loop/types.ts";

/** A plain chat turn: only user and assistant roles, text content. */
export interface TextTurn {
  readonly role: "user" | "assistant";
  readonly content: string;
}

/** Render the assistant's calls the way the text protocol asks for them. */
function renderCalls(message: Message): string {
  const calls = message.toolCalls ?? [];
  if (calls.length === 0) return message.content;
  // The model's own text already holds its JSON calls when it wrote them.
  if (message.content.trim() !== "") return message.content;
  const json = calls.map((call) => ({ tool: call.name, args: call.args }));
  return JSON.stringify(json.length === 1 ? json[0] : { tools: json });
}

function renderResult(message: Message): string {
  const name = message.toolName ?? "tool";
  const id = message.toolCallId ? ` (call ${message.toolCallId})` : "";
  const label = message.isError ? "failed" : "returned";
  return `Tool "${name}"${id} ${label}:\n${message.content}`;
}

/**
 * Turn the transcript into user/assistant text turns. System messages inside
 * the transcript become user turns marked as system notes.
 */
export function renderTextTranscript(messages: readonly Message[]): TextTurn[] {
  const turns: { role: "user" | "assistant"; parts: string[] }[] = [];
  const add = (role: "user" | "assistant", text: string) => {
    if (text === "") return;
    const last = turns.at(-1);
    if (last && last.role === role) last.parts.push(text);
    else turns.push({ role, parts: [text] });
  };
  for (const message of messages) {
    switch (message.role) {
      case "assistant":
        add("assistant", renderCalls(message));
        break;
      case "tool":
        add("user", renderResult(message));
        break;
      case "system":
        add("user", `[System note]\n${message.content}`);
        break;
      default:
        add("user", message.content);
    }
  }
  return turns.map(({ role, parts }) => ({ role, content: parts.join("\n\n") }));
}
