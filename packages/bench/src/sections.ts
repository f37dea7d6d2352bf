/**
 * BENCHMARKS.md is written by two commands: `pnpm bench` rewrites the file
 * around the hand-written notes, `pnpm bench:scale` only its own section. A
 * section is the text between `<!-- <name>:start -->` and `<!-- <name>:end -->`.
 */
const markers = (name: string) => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`] as const;

/** The section's text including its markers, or null when the document has none. */
export function readSection(document: string, name: string): string | null {
  const [start, end] = markers(name);
  const from = document.indexOf(start);
  const to = document.indexOf(end, from);
  return from === -1 || to === -1 ? null : document.slice(from, to + end.length);
}

/** The document with the section replaced by `body` (markers added), or appended if absent. */
export function writeSection(document: string, name: string, body: string): string {
  const [start, end] = markers(name);
  const section = `${start}\n${body.trimEnd()}\n${end}`;
  const previous = readSection(document, name);
  if (previous !== null) return document.replace(previous, () => section);
  return `${document.trimEnd()}\n\n${section}\n`;
}

/** Carries `name`'s section from the old document into a new one that lacks it (appended). */
export function keepSection(previousDocument: string | null, next: string, name: string): string {
  const kept = previousDocument === null ? null : readSection(previousDocument, name);
  if (kept === null || readSection(next, name) !== null) return next;
  return `${next.trimEnd()}\n\n${kept}\n`;
}
