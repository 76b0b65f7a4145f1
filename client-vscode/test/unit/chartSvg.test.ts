import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetChartSvg, CHART_WIDTH, chartBars } from '../../src/chartSvg';
import { budget } from './samples';

function barWidth(svg: string, key: string): number | undefined {
  const row = new RegExp(`<g class="row row-${key}[^"]*"[^>]*>(.*?)</g>`).exec(svg);
  assert.ok(row, `row ${key}`);
  const rect = /<rect class="bar"[^>]* width="([\d.]+)"/.exec(row[1]);
  return rect ? Number(rect[1]) : undefined;
}

test('five bars in order: raw, deduplicated, fitted, stable limit, window', () => {
  assert.deepEqual(chartBars(budget()).map((b) => b.key), ['raw', 'deduplicated', 'fitted', 'stable', 'window']);
  assert.deepEqual(chartBars(budget({ effectiveContext: 64000 })).map((b) => b.key),
    ['raw', 'deduplicated', 'fitted', 'stable', 'effective', 'window']);
});

test('bars share one linear scale: the largest value spans the width', () => {
  const svg = budgetChartSvg(budget());
  assert.equal(barWidth(svg, 'window'), CHART_WIDTH);
  const raw = barWidth(svg, 'raw') ?? 0;
  assert.ok(Math.abs(raw - (410233 / 1047576) * CHART_WIDTH) < 0.1);
  const stable = barWidth(svg, 'stable') ?? 0;
  assert.ok(Math.abs(stable - (131072 / 1047576) * CHART_WIDTH) < 0.1);
});

test('labels name the total and its tokens; the caption names the encoding and model', () => {
  const svg = budgetChartSvg(budget());
  assert.match(svg, />Deduplicated: 352,110 tokens</);
  assert.match(svg, /Context budget in o200k_base tokens \(gpt-4\.1\)/);
});

test('pack totals past the stable limit are marked as warnings, the limits are not', () => {
  const svg = budgetChartSvg(budget());
  assert.match(svg, /class="row row-fitted warning"/);
  assert.match(svg, /class="row row-stable"/);
  const fits = budgetChartSvg(budget({ raw: 1000, deduplicated: 900, fitted: 900 }));
  assert.doesNotMatch(fits, /warning/);
});

test('an unmeasured stable limit has no bar and no marker, and says so', () => {
  const svg = budgetChartSvg(budget({ stableLimit: null }));
  assert.equal(barWidth(svg, 'stable'), undefined);
  assert.match(svg, />Stable limit: not measured yet</);
  assert.doesNotMatch(svg, /<line class="limit"/);
});

test('a tiny pack against a huge window still shows a bar; text is escaped', () => {
  const svg = budgetChartSvg(budget({ raw: 10, deduplicated: 10, fitted: 10, model: '<b>&"x' }));
  assert.equal(barWidth(svg, 'raw'), 2);
  assert.match(svg, /\(&lt;b&gt;&amp;&quot;x\)/);
  assert.doesNotMatch(svg, /<b>/);
});

test('while the first pack is built, its bars are absent and say so', () => {
  const svg = budgetChartSvg(budget({ deduplicated: null, fitted: null }));
  assert.equal(barWidth(svg, 'deduplicated'), undefined);
  assert.equal(barWidth(svg, 'fitted'), undefined);
  assert.match(svg, />Fitted: building the pack…</);
  assert.ok((barWidth(svg, 'raw') ?? 0) > 2);
});
