import assert from 'node:assert/strict';
import { test } from 'node:test';
import { askMarkdown, exportMessage, preflightMarkdown, preflightSummary } from '../../src/reports';
import type { Preflight } from '../../src/wire';

// As docs/protocol.md shows it, with a secret finding and a map-reduce plan.
const preflight: Preflight = {
  model: 'gpt-4.1', encoding: 'o200k_base', endpoint: 'http://127.0.0.1:8765/v1',
  mode: 'map-reduce', verdict: 'warn',
  requests: [
    { label: 'part 1/2', contentTokens: 35120, framingTokens: 11, sentTokens: 35131, answerTokens: 4096, totalTokens: 39227 },
    { label: 'part 2/2', contentTokens: 20000, framingTokens: 11, sentTokens: 20011, answerTokens: 4096, totalTokens: 24107 },
  ],
  reduce: { requests: 1, rounds: 1, inputTokensMax: 8192, outputTokensMax: 4096 },
  contextWindow: 1047576,
  stableLimit: { tokens: 131072, source: 'stability probe, cached' },
  secrets: [{ path: 'conf.py', line: 3, kind: 'aws-key' }],
  inputTokens: 55142, outputTokensMax: 12288, costUsdMax: 0.2084,
  gates: [
    { name: 'window', status: 'ok', message: 'each request fits the window' },
    { name: 'secrets', status: 'warn', message: '1 secret(s) found and redacted | allowed' },
  ],
};

test('a preflight is written out: verdict, gates, every request, reduce, secrets without text', () => {
  const md = preflightMarkdown(preflight, 'How does billing work?');
  assert.match(md, /Question: How does billing work\?/);
  assert.match(md, /\*\*Verdict: warn\*\* — nothing has been sent\./);
  assert.match(md, /- Model: gpt-4\.1 \(o200k_base\) at http:\/\/127\.0\.0\.1:8765\/v1/);
  assert.match(md, /- Mode: map → reduce over 2 parts/);
  assert.match(md, /- Stable limit: 131,072 tokens \(stability probe, cached\)/);
  assert.match(md, /- Cost at most: \$0\.2084/);
  assert.match(md, /\| part 1\/2 \| 35,120 \| 11 \| 35,131 \| 4,096 \| 39,227 \|/);
  assert.match(md, /\| secrets \| warn \| 1 secret\(s\) found and redacted \\\| allowed \|/);
  assert.match(md, /Reduce: 1 requests in 1 rounds/);
  assert.match(md, /- conf\.py:3 aws-key/);
});

test('the send dialog sums it up and names every gate that is not ok', () => {
  const s = preflightSummary(preflight);
  assert.match(s, /^Verdict: warn\. 55,142 o200k_base tokens to gpt-4\.1 in 2 requests \(map → reduce\), at most \$0\.2084\./);
  assert.match(s, /secrets: 1 secret/);
  assert.doesNotMatch(s, /window:/);
});

test('an answer of another shape is kept whole, as JSON', () => {
  const md = preflightMarkdown({ verdict: 'ok', something: [1, 2] });
  assert.match(md, /"something": \[/);
});

test('answers carry the tokens and cost; exports name parts and encoding', () => {
  const md = askMarkdown('What does it do?', { answer: 'It parses.', tokens: 1200, costUsd: 0.0031 });
  assert.match(md, /^# What does it do\?\n\nIt parses\./);
  assert.match(md, /1,200 tokens sent and received, cost \$0\.0031/);
  assert.equal(exportMessage({ uri: 'file:///w/p.md', tokens: 5000, encoding: 'o200k_base', parts: 1 }),
    'Context pack written: 5,000 tokens (o200k_base).');
  assert.equal(exportMessage({ uri: 'file:///w/p.md', tokens: 5000, encoding: 'cl100k_base', parts: [{}, {}, {}] }),
    'Context pack written in 3 parts: 5,000 tokens (cl100k_base).');
});
