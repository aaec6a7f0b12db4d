import type { Message } from "../loop/types.ts";

/**
 * The redacted form of a transcript that grows turn after turn: each message
 * is redacted once, and each request redacts only the messages that were not
 * in the previous one. Used by `redactingBackend` and `ProvenanceSink`;
 * not part of the public API.
 *
 * The loop appends to its transcript or replaces it with a new array, and
 * never changes a message in place; its request array with injected context
 * only loses its last (injected) message and grows. A request that is the
 * previous array, changed that way, costs the new messages; any other request
 * is compared message by message (by identity) with the previous one, and
 * redaction resumes where they differ, so a rewritten or injected message is
 * always redacted.
 *
 * @example Redact two turns of one run
 * ```ts ignore
 * const view = new RedactedTranscript((message) => ({ ...message, content: redact(message.content) }));
 * const first = view.of(state.transcript); // redacts every message
 * state.transcript.push(reply, result);
 * const second = view.of(state.transcript); // redacts `reply` and `result` only
 * ```
 */
export class RedactedTranscript {
  readonly #redact: (message: Message) => Message;
  readonly #memo = new WeakMap<Message, Message>();
  #source: readonly Message[] | undefined;
  readonly #inputs: Message[] = [];
  #outputs: Message[] = [];

  /**
   * Make a view that redacts each message with `redact`.
   *
   * @param redact Returns the redacted form of one message (a new object when anything changed).
   */
  constructor(redact: (message: Message) => Message) {
    this.#redact = redact;
  }

  /**
   * The redacted form of `messages`. The array returned for an array changes
   * as that array does (it grows, or loses its last message and grows);
   * another array gets a new one.
   *
   * @param messages The messages of a request.
   * @returns The same messages, redacted.
   */
  of(messages: readonly Message[]): readonly Message[] {
    const inputs = this.#inputs;
    const seen = inputs.length;
    let same = 0;
    if (messages === this.#source && messages[0] === inputs[0]) {
      if (messages[seen - 1] === inputs[seen - 1]) same = seen;
      else if (messages[seen - 2] === inputs[seen - 2]) same = seen - 1;
    }
    if (same === 0) {
      const shared = Math.min(seen, messages.length);
      while (same < shared && messages[same] === inputs[same]) same++;
    }
    if (messages !== this.#source) this.#outputs = this.#outputs.slice(0, same);
    inputs.length = same;
    const outputs = this.#outputs;
    outputs.length = same;
    for (let index = same; index < messages.length; index++) {
      const message = messages[index]!;
      let redacted = this.#memo.get(message);
      if (redacted === undefined) {
        redacted = this.#redact(message);
        this.#memo.set(message, redacted);
      }
      inputs.push(message);
      outputs.push(redacted);
    }
    this.#source = messages;
    return outputs;
  }
}
