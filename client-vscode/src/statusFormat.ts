// Text of the two status bar items: exact tokens of the current file or selection, and the
// context pack's total against the stable limit. Pure; statusBar.ts shows what this returns.

import { formatCompact, formatInt } from './format';
import { type Budget, packTotal, type TokensResult } from './wire';

export interface StatusText {
  text: string;
  tooltip: string;
}

export type StatusLevel = 'ok' | 'warning' | 'error';

export interface ContextStatus extends StatusText {
  level: StatusLevel;
}

export interface TokenScope {
  /** The file's name as the user knows it (workspace-relative path or base name). */
  fileName: string;
  /** Characters selected; 0 or undefined: the whole file. */
  selected?: number;
}

export function formatTokenStatus(result: TokensResult, scope: TokenScope): StatusText {
  const n = formatInt(result.tokens);
  const counted = `counted with ${result.encoding}, the tokenizer of ${result.model}`;
  if (scope.selected && scope.selected > 0) {
    return {
      text: `$(selection) ${n} tokens selected`,
      tooltip: `${n} tokens in the selection of ${scope.fileName} (${counted}).\nClick to open the ctxlens Context view.`,
    };
  }
  return {
    text: `$(symbol-numeric) ${n} tokens`,
    tooltip: `${n} tokens in ${scope.fileName} as it is now (${counted}).\nClick to open the ctxlens Context view.`,
  };
}

export function contextLevel(budget: Budget): StatusLevel {
  const total = packTotal(budget).tokens;
  if (budget.verdict === 'over' || total > budget.window) return 'error';
  const pastStable = budget.stableLimit !== null && total > budget.stableLimit;
  const pastEffective = budget.effectiveContext !== null && total > budget.effectiveContext;
  if (budget.verdict === 'warn' || pastStable || pastEffective) return 'warning';
  return 'ok';
}

export function formatContextStatus(budget: Budget): ContextStatus {
  const level = contextLevel(budget);
  const total = packTotal(budget);
  const n = (v: number | null): string => (v === null ? 'not built yet' : formatInt(v));
  const icon = level === 'ok' ? '$(package)' : '$(warning)';
  const limit = budget.stableLimit === null
    ? `${formatCompact(budget.window)} window`
    : `${formatCompact(budget.stableLimit)} stable`;
  const lines = [
    `Context pack (${budget.encoding}, ${budget.model}${budget.indexing ? ', still indexing' : ''}):`,
    budget.fitted === null
      ? `pack not built yet — raw ${formatInt(budget.raw)} tokens so far`
      : `fitted ${formatInt(budget.fitted)} tokens — raw ${formatInt(budget.raw)}, deduplicated ${n(budget.deduplicated)}`,
    budget.stableLimit === null
      ? 'stable limit: not measured yet (the probe runs in the background)'
      : `stable limit ${formatInt(budget.stableLimit)} tokens`,
    `window ${formatInt(budget.window)} tokens`,
    `verdict: ${budget.verdict}`,
    ...budget.reasons.map((r) => `• ${r}`),
    'Click to open the ctxlens Context view.',
  ];
  return {
    // Until the first pack is built the raw total stands in, and says so.
    text: `${icon} ctx ${formatCompact(total.tokens)}${total.which === 'raw' ? ' raw' : ''} / ${limit}`,
    tooltip: lines.join('\n'),
    level,
  };
}
