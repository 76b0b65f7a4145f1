// The budget chart as one inline SVG string: bars for raw, deduplicated and fitted tokens, the
// stable limit and the window, on one linear scale. Pure: the webview view only wraps it in a
// page. Colours come from CSS classes the page styles with the theme's variables.

import { formatInt } from './format';
import type { Budget } from './wire';

export interface ChartBar {
  key: 'raw' | 'deduplicated' | 'fitted' | 'stable' | 'effective' | 'window';
  label: string;
  value: number | null;
  /** Drawn in the warning colour (a pack total past the stable limit or the window). */
  warning: boolean;
}

export const CHART_WIDTH = 320;
const LABEL_HEIGHT = 14;
const BAR_HEIGHT = 14;
const ROW_GAP = 10;
const TOP = 22;

export function chartBars(budget: Budget): ChartBar[] {
  const limit = Math.min(budget.window, budget.stableLimit ?? Infinity, budget.effectiveContext ?? Infinity);
  const past = (n: number | null): boolean => n !== null && n > limit;
  const bars: ChartBar[] = [
    { key: 'raw', label: 'Raw', value: budget.raw, warning: past(budget.raw) },
    { key: 'deduplicated', label: 'Deduplicated', value: budget.deduplicated, warning: past(budget.deduplicated) },
    { key: 'fitted', label: 'Fitted', value: budget.fitted, warning: past(budget.fitted) },
    { key: 'stable', label: 'Stable limit', value: budget.stableLimit, warning: false },
  ];
  if (budget.effectiveContext !== null) {
    bars.push({ key: 'effective', label: 'Effective context', value: budget.effectiveContext, warning: false });
  }
  bars.push({ key: 'window', label: 'Window', value: budget.window, warning: false });
  return bars;
}

export function budgetChartSvg(budget: Budget): string {
  const bars = chartBars(budget);
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const scale = (n: number): number => (n / max) * CHART_WIDTH;
  const rowHeight = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP;
  const height = TOP + bars.length * rowHeight;
  const title = `Context budget in ${budget.encoding} tokens (${budget.model})`;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="budget-chart" role="img" viewBox="0 0 ${CHART_WIDTH} ${height}" width="100%" aria-label="${esc(summary(budget))}">`);
  parts.push(`<title>${esc(title)}</title>`);
  parts.push(`<text class="caption" x="0" y="12">${esc(title)}</text>`);
  bars.forEach((bar, i) => {
    const y = TOP + i * rowHeight;
    const value = bar.value !== null ? `${formatInt(bar.value)} tokens`
      : bar.key === 'stable' ? 'not measured yet' : 'building the pack…';
    parts.push(`<g class="row row-${bar.key}${bar.warning ? ' warning' : ''}" data-key="${bar.key}" data-value="${bar.value ?? ''}">`);
    parts.push(`<text class="label" x="0" y="${y + LABEL_HEIGHT - 3}">${esc(bar.label)}: ${esc(value)}</text>`);
    if (bar.value !== null) {
      // At least 2 px, so a small workspace against a million-token window still shows a bar.
      const w = Math.max(2, scale(bar.value));
      parts.push(`<rect class="bar" x="0" y="${y + LABEL_HEIGHT}" width="${w.toFixed(1)}" height="${BAR_HEIGHT}" rx="2"/>`);
    }
    parts.push('</g>');
  });
  if (budget.stableLimit !== null) {
    const x = Math.min(CHART_WIDTH - 1, scale(budget.stableLimit)).toFixed(1);
    parts.push(`<line class="limit" x1="${x}" y1="${TOP}" x2="${x}" y2="${height - ROW_GAP}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

function summary(budget: Budget): string {
  const limit = budget.stableLimit === null ? 'stable limit not measured yet' : `stable limit ${formatInt(budget.stableLimit)}`;
  const n = (v: number | null): string => (v === null ? 'not built yet' : formatInt(v));
  return `raw ${formatInt(budget.raw)}, deduplicated ${n(budget.deduplicated)}, fitted ${n(budget.fitted)}, ` +
    `${limit}, window ${formatInt(budget.window)} ${budget.encoding} tokens`;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
