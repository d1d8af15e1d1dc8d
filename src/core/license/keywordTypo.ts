/**
 * A line whose first word is close to a license-file keyword (`FEATUR`, `INCREMNT`, `SEVER`) was
 * meant as one: the line is dropped, so its seats are lost, and the admin must hear it as an
 * error. Words far from every keyword stay warnings (FlexLM treats unknown lines as comments).
 */
const KEYWORDS = ['SERVER', 'VENDOR', 'DAEMON', 'USE_SERVER', 'FEATURE', 'INCREMENT', 'UPGRADE', 'PACKAGE'];

/** The keyword `word` is a near miss of (one or two edits; one for short words), or null. */
export function mistypedKeyword(word: string): string | null {
  const upper = word.toUpperCase();
  if (KEYWORDS.includes(upper)) return null;
  let best: { keyword: string; distance: number } | null = null;
  for (const keyword of KEYWORDS) {
    const distance = editDistance(upper, keyword);
    if (!best || distance < best.distance) best = { keyword, distance };
  }
  const allowed = Math.min(upper.length, best!.keyword.length) <= 5 ? 1 : 2;
  return best!.distance <= allowed ? best!.keyword : null;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
