/** Cut text to `limit` characters, keeping head and tail, and say how much was left out. */
export function capText(text: string, limit: number): { text: string; truncated: boolean } {
  if (text.length <= limit) return { text, truncated: false };
  const head = Math.floor(limit * 0.6);
  const tail = limit - head;
  const omitted = text.length - limit;
  return {
    text: `${text.slice(0, head)}\n… [${omitted} characters omitted] …\n${text.slice(-tail)}`,
    truncated: true,
  };
}
