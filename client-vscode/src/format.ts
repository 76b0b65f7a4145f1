// Number formatting shared by the tree, the chart and the status bar. Fixed to en-US grouping
// so that what the user reads and what the tests assert do not depend on the host's locale.

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 352110 → "352,110". */
export function formatInt(n: number): string {
  return grouping.format(Math.round(n));
}

/** 352110 → "352k", 1047576 → "1.05M", 950 → "950": for the narrow status bar. */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1_000_000) return `${trim((n / 1_000_000).toPrecision(3))}M`;
  if (abs >= 10_000) return `${Math.round(n / 1_000)}k`;
  if (abs >= 1_000) return `${trim((n / 1_000).toPrecision(3))}k`;
  return String(Math.round(n));
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Share of `part` in `whole` as "14.2 %"; "—" when the whole is zero. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '—';
  return `${((100 * part) / whole).toFixed(1)} %`;
}

/** Similarity 0–1 as a whole percentage: 0.913 → "91 %". */
export function formatSimilarity(similarity: number): string {
  return `${Math.round(similarity * 100)} %`;
}

/** "1 file" / "3 files". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}
