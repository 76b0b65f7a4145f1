// Markdown for what the palette commands bring back (preflight, ask, export). Pure. A
// preflight of the shape docs/protocol.md gives is written out in words; anything else is
// shown as JSON, so nothing the server says is lost.

import { formatInt } from './format';
import { type AskResult, type ExportPackResult, isPreflight, type Preflight } from './wire';

/** The preflight as a document: verdict, each gate, what would be sent, cost, secrets. */
export function preflightMarkdown(result: unknown, question?: string): string {
  const lines = ['# ctxlens preflight', ''];
  if (!isPreflight(result)) {
    lines.push('```json', JSON.stringify(result, null, 2), '```');
    return lines.join('\n') + '\n';
  }
  const p = result;
  if (question) lines.push(`Question: ${question}`, '');
  lines.push(`**Verdict: ${p.verdict}** — nothing has been sent.`, '');
  lines.push(`- Model: ${p.model} (${p.encoding}) at ${p.endpoint}`);
  lines.push(`- Mode: ${p.mode === 'map-reduce' ? `map → reduce over ${p.requests.length} parts` : 'one request'}`);
  lines.push(`- Input: ${formatInt(p.inputTokens)} tokens; answers up to ${formatInt(p.outputTokensMax)} tokens`);
  lines.push(`- Window: ${formatInt(p.contextWindow)} tokens`);
  lines.push(p.stableLimit
    ? `- Stable limit: ${formatInt(p.stableLimit.tokens)} tokens (${p.stableLimit.source})`
    : '- Stable limit: not measured');
  lines.push(`- Cost at most: ${p.costUsdMax === null ? 'unknown (no price for this model)' : `$${p.costUsdMax.toFixed(4)}`}`);
  lines.push('', '## Gates', '', '| gate | status | |', '|---|---|---|');
  for (const g of p.gates) lines.push(`| ${g.name} | ${g.status} | ${cell(g.message)} |`);
  lines.push('', '## Requests', '', '| request | content | framing | sent | answer | total |', '|---|---:|---:|---:|---:|---:|');
  for (const r of p.requests) {
    lines.push(`| ${cell(r.label)} | ${formatInt(r.contentTokens)} | ${formatInt(r.framingTokens)} | ${formatInt(r.sentTokens)} | ` +
      `${formatInt(r.answerTokens)} | ${formatInt(r.totalTokens)} |`);
  }
  if (p.reduce) {
    lines.push('', `Reduce: ${p.reduce.requests} requests in ${p.reduce.rounds} rounds, ` +
      `at most ${formatInt(p.reduce.inputTokensMax)} input and ${formatInt(p.reduce.outputTokensMax)} output tokens.`);
  }
  if (p.secrets.length > 0) {
    lines.push('', '## Secrets (redacted in the pack; the text is never shown)', '');
    for (const f of p.secrets) lines.push(`- ${f.path}:${f.line} ${f.kind}`);
  }
  return lines.join('\n') + '\n';
}

/** Two or three lines for the "send?" dialog. */
export function preflightSummary(p: Preflight): string {
  const requests = p.mode === 'map-reduce' ? `${p.requests.length} requests (map → reduce)` : 'one request';
  const cost = p.costUsdMax === null ? '' : `, at most $${p.costUsdMax.toFixed(4)}`;
  const flagged = p.gates.filter((g) => g.status !== 'ok').map((g) => `${g.name}: ${g.message}`);
  return [
    `Verdict: ${p.verdict}. ${formatInt(p.inputTokens)} ${p.encoding} tokens to ${p.model} in ${requests}${cost}.`,
    `Endpoint: ${p.endpoint}`,
    ...flagged,
  ].join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function askMarkdown(question: string, result: AskResult): string {
  const cost = typeof result.costUsd === 'number' ? `, cost $${result.costUsd.toFixed(4)}` : '';
  return [
    `# ${question}`,
    '',
    result.answer,
    '',
    '---',
    `*ctxlens: ${formatInt(result.tokens)} tokens sent and received${cost}.*`,
    '',
  ].join('\n');
}

export function exportMessage(result: ExportPackResult): string {
  const parts = Array.isArray(result.parts) ? result.parts.length : result.parts;
  const partText = typeof parts === 'number' && parts > 1 ? ` in ${parts} parts` : '';
  return `Context pack written${partText}: ${formatInt(result.tokens)} tokens (${result.encoding}).`;
}
