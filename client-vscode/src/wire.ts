// Payloads of ctxlens's custom LSP messages, as docs/protocol.md defines them. Types only:
// the modules that build trees, charts and status text import these without importing vscode.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface CloneMember {
  uri: string;
  path: string;
  name: string;
  range: Range;
  tokens: number;
}

export type CloneKind = 'exact' | 'renamed' | 'near-miss' | 'fragment' | string;

export interface CloneClass {
  id: string;
  kind: CloneKind;
  similarity: number;
  tokensSaved: number;
  collapsed: boolean;
  canonical: number;
  members: CloneMember[];
}

export interface CloneClassesResult {
  model: string;
  encoding: string;
  indexing: boolean;
  classes: CloneClass[];
}

export type Verdict = 'ok' | 'warn' | 'over' | string;

export interface Budget {
  model: string;
  encoding: string;
  selection: string[];
  files: number;
  raw: number;
  /** null while the first pack after indexing is still being built. */
  deduplicated: number | null;
  fitted: number | null;
  reserve: number;
  window: number;
  effectiveContext: number | null;
  stableLimit: number | null;
  verdict: Verdict;
  reasons: string[];
  indexing: boolean;
}

export interface TokensParams {
  uri: string;
  range?: Range;
}

export interface TokensResult {
  tokens: number;
  encoding: string;
  model: string;
}

export interface PreflightGate {
  name: string;
  status: 'ok' | 'warn' | 'refuse' | string;
  message: string;
}

export interface PreflightRequest {
  label: string;
  contentTokens: number;
  framingTokens: number;
  sentTokens: number;
  answerTokens: number;
  totalTokens: number;
}

export interface Preflight {
  model: string;
  encoding: string;
  endpoint: string;
  mode: 'single' | 'map-reduce' | string;
  verdict: 'ok' | 'warn' | 'refuse' | string;
  requests: PreflightRequest[];
  reduce: { requests: number; rounds: number; inputTokensMax: number; outputTokensMax: number } | null;
  contextWindow: number;
  stableLimit: { tokens: number; source: string } | null;
  secrets: { path: string; line: number; kind: string }[];
  inputTokens: number;
  outputTokensMax: number;
  costUsdMax: number | null;
  gates: PreflightGate[];
}

export interface ExportPackResult {
  uri: string;
  tokens: number;
  encoding: string;
  parts: number | unknown[];
}

export interface AskResult {
  answer: string;
  tokens: number;
  costUsd: number | null;
}

export interface DiagramResult {
  mermaid: string;
  uri: string | null;
  /** What was still wrong with the chart after one re-ask; empty: it passed the check. */
  problems?: string[];
  costUsd?: number | null;
  model?: string;
}

/** The fields of a `Budget` a client relies on, checked before the payload is used. */
export function isBudget(value: unknown): value is Budget {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const numberOrNull = (x: unknown): boolean => typeof x === 'number' || x === null;
  return (
    typeof v.raw === 'number' &&
    numberOrNull(v.deduplicated) &&
    numberOrNull(v.fitted) &&
    typeof v.window === 'number' &&
    typeof v.encoding === 'string'
  );
}

/** The total the pack would send, and which one it is: fitted, else (while the first pack is
 *  being built) the selected files' raw tokens. */
export function packTotal(b: Budget): { tokens: number; which: 'fitted' | 'deduplicated' | 'raw' } {
  if (b.fitted !== null) return { tokens: b.fitted, which: 'fitted' };
  if (b.deduplicated !== null) return { tokens: b.deduplicated, which: 'deduplicated' };
  return { tokens: b.raw, which: 'raw' };
}

export function isPreflight(value: unknown): value is Preflight {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.verdict === 'string' && Array.isArray(v.gates) && typeof v.inputTokens === 'number';
}
