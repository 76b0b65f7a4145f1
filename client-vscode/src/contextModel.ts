// The Context tree as plain data, built from a `Budget` (`ctxlens/budget`,
// `ctxlens/budgetChanged`). Every number names the total it is and the encoding it was counted in.

import { formatInt, formatPercent, plural } from './format';
import { type Budget, packTotal } from './wire';

export interface ContextRow {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  /** A codicon id. */
  icon: string;
  /** Drawn in the warning colour. */
  warning: boolean;
  children: ContextRow[];
}

export function verdictText(verdict: string): string {
  switch (verdict) {
    case 'ok': return 'fits: within the stable limit';
    case 'warn': return 'past the stable or effective limit';
    case 'over': return 'past the model window';
    default: return verdict;
  }
}

export function buildContextRows(budget: Budget): ContextRow[] {
  const enc = budget.encoding;
  const tokens = (n: number): string => `${formatInt(n)} tokens`;
  const rows: ContextRow[] = [];
  if (budget.indexing) {
    rows.push(row('indexing', 'Indexing…', 'totals so far', 'The workspace is still being indexed; the totals grow as it goes.', 'sync'));
  }
  rows.push(row('model', 'Model', `${budget.model} · ${enc}`, `Tokens are counted with ${enc}, the tokenizer of ${budget.model}.`, 'symbol-namespace'));
  const selection = budget.selection.length > 0 ? budget.selection.join(', ') : 'whole workspace';
  rows.push({
    ...row('selection', 'Selection', `${selection} (${plural(budget.files, 'file')})`,
      'What the context pack contains. Add or remove files and folders from the Explorer\'s context menu.', 'files'),
    children: budget.selection.map((p, i) => row(`selection/${i}`, p, '', p, 'file')),
  });
  rows.push(row('raw', 'Raw', tokens(budget.raw), `The selected files' own tokens (${enc}), nothing collapsed.`, 'symbol-numeric'));
  if (budget.deduplicated === null) {
    rows.push(row('deduplicated', 'Deduplicated', 'building the pack…',
      'The pack is built in the background after indexing; its totals appear here when it is done.', 'fold'));
  } else {
    const saved = budget.raw - budget.deduplicated;
    // A small selection can grow: the pack adds a header (tree, tokens per folder, clone index).
    const change = saved >= 0
      ? `−${formatPercent(saved, budget.raw)}`
      : `+${formatPercent(-saved, budget.raw)} with the pack's header`;
    rows.push(row('deduplicated', 'Deduplicated', `${tokens(budget.deduplicated)} (${change})`,
      `The rendered pack with duplicated logic collapsed to one copy plus one-line references (${enc}); ` +
      (saved >= 0 ? `${formatInt(saved)} tokens fewer than raw.` : `${formatInt(-saved)} tokens more than raw: its header outweighs what collapsing saves.`), 'fold'));
  }
  if (budget.fitted === null) {
    rows.push(row('fitted', 'Fitted', 'building the pack…', 'The pack after fitting to the plan\'s budget, once it is built.', 'package'));
  } else {
    rows.push(row('fitted', 'Fitted', tokens(budget.fitted),
      budget.fitted === budget.deduplicated
        ? `The pack as it would be sent (${enc}); no budget is set, so it equals the deduplicated pack.`
        : `The pack after fitting to the plan's budget (${enc}): least central files become skeletons or are left out.`, 'package'));
  }
  if (budget.reserve > 0) {
    rows.push(row('reserve', 'Reserve', tokens(budget.reserve), 'Tokens kept free for the model\'s answer.', 'reply'));
  }
  const total = packTotal(budget);
  const fitted = total.tokens;
  const overStable = budget.stableLimit !== null && fitted > budget.stableLimit;
  rows.push(budget.stableLimit === null
    ? row('stable', 'Stable limit', 'not measured yet',
      `The stability probe runs in the background; the limit for ${budget.model} appears here when it is done.`, 'beaker')
    : { ...row('stable', 'Stable limit', tokens(budget.stableLimit),
      `Largest context the stability probe finds free of critical attention problems for ${budget.model}.` +
      (overStable ? ` The ${total.which} total is ${formatInt(fitted - budget.stableLimit)} tokens past it.` : ''), 'beaker'), warning: overStable });
  if (budget.effectiveContext !== null) {
    const overEffective = fitted > budget.effectiveContext;
    rows.push({ ...row('effective', 'Effective context', tokens(budget.effectiveContext),
      `Published effective context length of ${budget.model}.`, 'graph-line'), warning: overEffective });
  }
  const overWindow = fitted > budget.window;
  rows.push({ ...row('window', 'Window', tokens(budget.window), `The context window ${budget.model} accepts.`, 'window'), warning: overWindow });
  rows.push({
    ...row('verdict', `Verdict: ${budget.verdict}`, verdictText(budget.verdict),
      budget.reasons.length > 0 ? budget.reasons.join('\n') : verdictText(budget.verdict),
      budget.verdict === 'ok' ? 'pass' : budget.verdict === 'over' ? 'error' : 'warning'),
    warning: budget.verdict !== 'ok',
    children: budget.reasons.map((r, i) => row(`verdict/${i}`, r, '', r, 'info')),
  });
  return rows;
}

function row(id: string, label: string, description: string, tooltip: string, icon: string): ContextRow {
  return { id, label, description, tooltip, icon, warning: false, children: [] };
}
