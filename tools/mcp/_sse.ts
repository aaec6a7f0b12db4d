/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/**
 * Parse a `text/event-stream` body into events (WHATWG rules: fields
 * `event`, `data`, `id`; comments start with `:`; an empty line ends an event;
 * CRLF, LF and CR all end lines).
 */
export async function* sseEvents(stream: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  const dispatch = (): SseEvent | undefined => {
    const result = data.length > 0
      ? { event: event || "message", data: data.join("\n"), ...(id !== undefined ? { id } : {}) }
      : undefined;
    event = "";
    data = [];
    return result;
  };
  const field = (line: string): void => {
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") data.push(value);
    else if (name === "event") event = value;
    else if (name === "id" && !value.includes("\0")) id = value;
  };
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let match = /\r\n|\r|\n/.exec(buffer);
    // A lone CR at the end may be the first half of CRLF: wait for more.
    while (match !== null && !(match[0] === "\r" && match.index === buffer.length - 1)) {
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === "") {
        const ready = dispatch();
        if (ready !== undefined) yield ready;
      } else field(line);
      match = /\r\n|\r|\n/.exec(buffer);
    }
  }
  buffer += decoder.decode();
  if (buffer !== "") field(buffer.replace(/\r$/, ""));
  const last = dispatch();
  if (last !== undefined) yield last;
}
