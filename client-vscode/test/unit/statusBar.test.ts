import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import * as vscode from 'vscode';
import { BudgetStore } from '../../src/budgetStore';
import { FOCUS_CONTEXT_COMMAND, StatusBar } from '../../src/statusBar';
import type { TokensParams, TokensResult } from '../../src/wire';
import { budget } from './samples';

// The stub's own handles (see test/stubs/vscode.ts).
const stub = (vscode as unknown as { stub: typeof import('../stubs/vscode').stub }).stub;
const S = vscode as unknown as typeof import('../stubs/vscode');

function editor(text: string, sel: [number, number, number, number] = [0, 0, 0, 0]) {
  const document = new S.StubDocument(S.Uri.file('/w/src/app.py'), text);
  return { document, selection: new S.Selection(...sel) };
}

beforeEach(() => stub.reset());

test('the token item shows the server\'s exact count of the file, live after edits', async () => {
  const asked: TokensParams[] = [];
  const counts = [12, 15];
  const bar = new StatusBar(new BudgetStore(), async (p) => {
    asked.push(p);
    return { tokens: counts.shift() ?? 0, encoding: 'o200k_base', model: 'gpt-4.1' };
  });
  const ed = editor('def f():\n    return 1\n');
  (vscode.window as { activeTextEditor?: unknown }).activeTextEditor = ed;
  await bar.updateTokens();
  assert.equal(bar.tokenItem.text, '$(symbol-numeric) 12 tokens');
  assert.match(String(bar.tokenItem.tooltip), /src\/app\.py .*o200k_base, the tokenizer of gpt-4\.1/);
  assert.equal(bar.tokenItem.command, FOCUS_CONTEXT_COMMAND);
  assert.deepEqual(asked[0], { uri: 'file:///w/src/app.py' });
  ed.document.text += 'x = 2\n';
  await bar.updateTokens();
  assert.equal(bar.tokenItem.text, '$(symbol-numeric) 15 tokens');
  bar.dispose();
});

test('a selection is counted by its range', async () => {
  const asked: TokensParams[] = [];
  const bar = new StatusBar(new BudgetStore(), async (p) => {
    asked.push(p);
    return { tokens: 3, encoding: 'o200k_base', model: 'gpt-4.1' };
  });
  (vscode.window as { activeTextEditor?: unknown }).activeTextEditor = editor('def f():\n    return 1\n', [1, 4, 1, 12]);
  await bar.updateTokens();
  assert.deepEqual(asked[0].range, { start: { line: 1, character: 4 }, end: { line: 1, character: 12 } });
  assert.equal(bar.tokenItem.text, '$(selection) 3 tokens selected');
  bar.dispose();
});

test('an older answer arriving after a newer one is dropped', async () => {
  const pending: ((r: TokensResult) => void)[] = [];
  const bar = new StatusBar(new BudgetStore(), (): Promise<TokensResult> => new Promise((r) => pending.push(r)));
  (vscode.window as { activeTextEditor?: unknown }).activeTextEditor = editor('a');
  const first = bar.updateTokens();
  const second = bar.updateTokens();
  pending[1]({ tokens: 20, encoding: 'o200k_base', model: 'gpt-4.1' });
  await second;
  pending[0]({ tokens: 10, encoding: 'o200k_base', model: 'gpt-4.1' });
  await first;
  assert.equal(bar.tokenItem.text, '$(symbol-numeric) 20 tokens');
  bar.dispose();
});

test('typing asks once the edits settle (debounced)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let asked = 0;
  const bar = new StatusBar(new BudgetStore(), async () => {
    asked++;
    return { tokens: 1, encoding: 'o200k_base', model: 'gpt-4.1' };
  }, 250);
  const ed = editor('a');
  (vscode.window as { activeTextEditor?: unknown }).activeTextEditor = ed;
  for (let i = 0; i < 5; i++) {
    stub.documentChanged.fire({ document: ed.document, contentChanges: [{}] });
    t.mock.timers.tick(100);
  }
  assert.equal(asked, 0);
  t.mock.timers.tick(250);
  assert.equal(asked, 1);
  // Changes to another document do not count.
  stub.documentChanged.fire({ document: new S.StubDocument(S.Uri.file('/w/other.py'), ''), contentChanges: [{}] });
  t.mock.timers.tick(1000);
  assert.equal(asked, 1);
  bar.dispose();
});

test('no editor, or not a file: the token item hides', async () => {
  const bar = new StatusBar(new BudgetStore(), async () => ({ tokens: 1, encoding: 'o200k_base', model: 'gpt-4.1' }));
  await bar.updateTokens();
  assert.equal((bar.tokenItem as unknown as { visible: boolean }).visible, false);
  const untitled = { document: new S.StubDocument(S.Uri.parse('untitled:Untitled-1'), 'x'), selection: new S.Selection(0, 0, 0, 0) };
  (vscode.window as { activeTextEditor?: unknown }).activeTextEditor = untitled;
  await bar.updateTokens();
  assert.equal((bar.tokenItem as unknown as { visible: boolean }).visible, false);
  bar.dispose();
});

test('the context item follows the budget, with a warning background past the stable limit', () => {
  const store = new BudgetStore();
  const bar = new StatusBar(store, async () => undefined);
  const item = bar.contextItem as unknown as { visible: boolean; text: string };
  const bg = (): string | undefined => (bar.contextItem.backgroundColor as { id: string } | undefined)?.id;
  assert.equal(item.visible, false);
  store.set(budget({ fitted: 1000, deduplicated: 1000, verdict: 'ok', reasons: [] }));
  assert.equal(item.visible, true);
  assert.equal(item.text, '$(package) ctx 1k / 131k stable');
  assert.equal(bg(), undefined);
  store.set(budget());
  assert.equal(bg(), 'statusBarItem.warningBackground');
  store.set(budget({ fitted: 2_000_000, verdict: 'over' }));
  assert.equal(bg(), 'statusBarItem.errorBackground');
  assert.equal(bar.contextItem.command, FOCUS_CONTEXT_COMMAND);
  bar.dispose();
});
