import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCompact } from '../../src/format';
import { contextLevel, formatContextStatus, formatTokenStatus } from '../../src/statusFormat';
import { budget } from './samples';

const tokens = { tokens: 1234, encoding: 'o200k_base', model: 'gpt-4.1' };

test('file tokens: exact count, encoding and model in the tooltip', () => {
  const s = formatTokenStatus(tokens, { fileName: 'src/app.py' });
  assert.equal(s.text, '$(symbol-numeric) 1,234 tokens');
  assert.match(s.tooltip, /1,234 tokens in src\/app\.py/);
  assert.match(s.tooltip, /o200k_base, the tokenizer of gpt-4\.1/);
});

test('a selection says it is a selection', () => {
  const s = formatTokenStatus({ ...tokens, tokens: 56 }, { fileName: 'a.py', selected: 200 });
  assert.equal(s.text, '$(selection) 56 tokens selected');
  assert.match(s.tooltip, /selection of a\.py/);
});

test('context total against the stable limit, warning past it', () => {
  const s = formatContextStatus(budget());
  assert.equal(s.text, '$(warning) ctx 352k / 131k stable');
  assert.equal(s.level, 'warning');
  assert.match(s.tooltip, /fitted 352,110 tokens — raw 410,233, deduplicated 352,110/);
  assert.match(s.tooltip, /exceeds the stable limit/);
});

test('levels: ok inside, warning past the stable limit, error past the window', () => {
  assert.equal(contextLevel(budget({ fitted: 1000, verdict: 'ok' })), 'ok');
  assert.equal(contextLevel(budget({ fitted: 140000, verdict: 'ok' })), 'warning');
  assert.equal(contextLevel(budget({ fitted: 2_000_000, verdict: 'over' })), 'error');
  assert.equal(contextLevel(budget({ fitted: 1000, verdict: 'ok', effectiveContext: 500 })), 'warning');
});

test('without a measured limit the window is the yardstick', () => {
  const s = formatContextStatus(budget({ stableLimit: null, fitted: 5000, verdict: 'ok' }));
  assert.equal(s.text, '$(package) ctx 5k / 1.05M window');
  assert.equal(s.level, 'ok');
  assert.match(s.tooltip, /not measured yet/);
});

test('compact numbers', () => {
  assert.deepEqual([950, 1000, 1234, 12345, 352110, 1047576, 2000000].map(formatCompact),
    ['950', '1k', '1.23k', '12k', '352k', '1.05M', '2M']);
});

test('before the first pack exists the raw total stands in, and says it is raw', () => {
  const s = formatContextStatus(budget({ deduplicated: null, fitted: null, raw: 200000, verdict: 'ok', reasons: [] }));
  assert.equal(s.text, '$(warning) ctx 200k raw / 131k stable');
  assert.equal(s.level, 'warning');
  assert.match(s.tooltip, /pack not built yet — raw 200,000 tokens so far/);
});
