/**
 * Splits a label so that only its start shrinks when space runs out: the end (an extension, the last
 * folder) always stays readable. `clip-2026-very-long.mov` → head `clip-2026-ver`, tail `y-long.mov`,
 * shown as `clip-20…y-long.mov` by CSS ellipsis on the head. Head and tail always join back to the
 * label, spaces included (the view keeps them with `white-space: pre`), and a cut never falls inside
 * a character: not between the halves of a surrogate pair, nor before a combining mark or a joiner.
 */
export function splitFileName(name: string): { head: string; tail: string } {
  const dot = name.lastIndexOf('.');
  // A leading dot (".env") or a long "extension" is part of the name, not an extension.
  const hasExtension = dot > 0 && name.length - dot <= 12;
  const stem = hasExtension ? name.slice(0, dot) : name;
  const cut = characterBoundary(stem, stem.length - Math.min(6, Math.floor(stem.length / 2)));
  return { head: name.slice(0, cut), tail: name.slice(cut) };
}

/** Keeps the last folder of a path visible: `trip/2026/day-1` → head `trip/2026`, tail `/day-1`. */
export function splitFolder(folder: string): { head: string; tail: string } {
  const trimmed = folder.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut <= 0) return { head: '', tail: trimmed };
  return { head: trimmed.slice(0, cut), tail: trimmed.slice(cut) };
}

const lowSurrogate = /[\uDC00-\uDFFF]/;
/** Marks (accents, variation selectors) and joiners belong to the character before them. */
const attached = /[\p{M}\u200C\u200D]/u;

/** Moves `index` left until it sits between two whole characters (0 if there is no such place). */
function characterBoundary(text: string, index: number): number {
  let cut = index;
  while (cut > 0 && (lowSurrogate.test(text[cut]!) || attached.test(text[cut]!) || text[cut - 1] === '\u200D'))
    cut -= 1;
  return cut;
}
