/**
 * Escapes text for HTML exactly as React's server renderer does (`escapeTextForBrowser`
 * in react-dom/server): the same five characters, the same entities (`'` becomes `&#x27;`,
 * not `&#39;`). The fast renderer relies on this to produce the bytes a real React render
 * would, so do not "improve" it.
 */
export function escapeHtmlLikeReact(text: string): string {
  // Most values (codes, durations) need nothing: skip building a new string.
  if (!NEEDS_ESCAPING.test(text)) return text;
  let escaped = "";
  let lastIndex = 0;
  for (let index = 0; index < text.length; index++) {
    const entity = ENTITIES[text.charCodeAt(index)];
    if (entity === undefined) continue;
    if (lastIndex !== index) escaped += text.slice(lastIndex, index);
    escaped += entity;
    lastIndex = index + 1;
  }
  return escaped + text.slice(lastIndex);
}

const NEEDS_ESCAPING = /["'&<>]/;

const ENTITIES: Readonly<Record<number, string>> = {
  34: "&quot;",
  38: "&amp;",
  39: "&#x27;",
  60: "&lt;",
  62: "&gt;",
};
