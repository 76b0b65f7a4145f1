import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContextRows, type ContextRow } from '../../src/contextModel';
import { budget } from './samples';

function byId(rows: ContextRow[], id: string): ContextRow {
  const row = rows.find((r) => r.id === id);
  assert.ok(row, `row ${id}`);
  return row;
}

test('totals read raw → deduplicated → fitted, each with its tokens', () => {
  const rows = buildContextRows(budget());
  assert.deepEqual(rows.map((r) => r.id), ['model', 'selection', 'raw', 'deduplicated', 'fitted', 'reserve', 'stable', 'window', 'verdict']);
  assert.equal(byId(rows, 'model').description, 'gpt-4.1 · o200k_base');
  assert.equal(byId(rows, 'raw').description, '410,233 tokens');
  assert.equal(byId(rows, 'deduplicated').description, '352,110 tokens (−14.2 %)');
  assert.equal(byId(rows, 'fitted').description, '352,110 tokens');
  assert.match(byId(rows, 'fitted').tooltip, /no budget is set/);
  assert.equal(byId(rows, 'window').description, '1,047,576 tokens');
});

test('a pack larger than raw (its header outweighs the savings) says so instead of a negative saving', () => {
  const dedup = byId(buildContextRows(budget({ raw: 361, deduplicated: 469, fitted: 469 })), 'deduplicated');
  assert.equal(dedup.description, "469 tokens (+29.9 % with the pack's header)");
  assert.match(dedup.tooltip, /108 tokens more than raw/);
});

test('selection lists what is in the context', () => {
  const rows = buildContextRows(budget({ selection: ['src/', 'lib/util.py'], files: 1 }));
  const sel = byId(rows, 'selection');
  assert.equal(sel.description, 'src/, lib/util.py (1 file)');
  assert.deepEqual(sel.children.map((c) => c.label), ['src/', 'lib/util.py']);
  assert.equal(byId(buildContextRows(budget({ selection: [] })), 'selection').description, 'whole workspace (120 files)');
});

test('past the stable limit: the limit and the verdict are warnings, reasons are children', () => {
  const rows = buildContextRows(budget());
  const stable = byId(rows, 'stable');
  assert.equal(stable.warning, true);
  assert.match(stable.tooltip, /221,038 tokens past it/);
  const verdict = byId(rows, 'verdict');
  assert.equal(verdict.label, 'Verdict: warn');
  assert.equal(verdict.warning, true);
  assert.equal(verdict.icon, 'warning');
  assert.deepEqual(verdict.children.map((c) => c.label), budget().reasons);
});

test('within the limit the verdict is ok; an unmeasured limit says so', () => {
  const ok = buildContextRows(budget({ fitted: 1000, deduplicated: 1000, raw: 1200, verdict: 'ok', reasons: [] }));
  assert.equal(byId(ok, 'stable').warning, false);
  assert.equal(byId(ok, 'verdict').icon, 'pass');
  const unmeasured = buildContextRows(budget({ stableLimit: null }));
  assert.equal(byId(unmeasured, 'stable').description, 'not measured yet');
});

test('a fitted budget differs from the deduplicated pack and says why; indexing is shown', () => {
  const rows = buildContextRows(budget({ fitted: 120000, indexing: true, effectiveContext: 64000 }));
  assert.equal(rows[0].id, 'indexing');
  assert.match(byId(rows, 'fitted').tooltip, /skeletons/);
  assert.equal(byId(rows, 'effective').warning, true);
});

test('a provisional budget (first pack not built yet) says so instead of showing zeros', () => {
  const rows = buildContextRows(budget({ deduplicated: null, fitted: null, indexing: true, raw: 5000, verdict: 'ok', reasons: [] }));
  assert.equal(byId(rows, 'deduplicated').description, 'building the pack…');
  assert.equal(byId(rows, 'fitted').description, 'building the pack…');
  assert.equal(byId(rows, 'raw').description, '5,000 tokens');
  assert.equal(byId(rows, 'stable').warning, false);
});
