import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vscode from 'vscode';
import type { ClassNode, MemberNode } from '../../src/duplicatesModel';
import { DuplicatesProvider, isClassNode } from '../../src/duplicatesView';
import type { CloneClassesResult } from '../../src/wire';
import { cloneClasses } from './samples';

function provider(answers: (CloneClassesResult | Error | undefined)[]): DuplicatesProvider {
  return new DuplicatesProvider({
    async cloneClasses() {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    },
  });
}

test('refresh asks the server and shows its classes as tree items', async () => {
  const p = provider([cloneClasses()]);
  let fired = 0;
  p.onDidChangeTreeData(() => fired++);
  assert.deepEqual(p.getChildren(), []);
  await p.refresh();
  assert.equal(fired, 1);
  assert.equal(p.classCount, 2);
  const [big] = p.getChildren() as ClassNode[];
  const item = p.getTreeItem(big);
  assert.equal(item.label, 'X.parse ×2');
  assert.equal(item.contextValue, 'ctxlens.class.collapsed');
  assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
  assert.ok(isClassNode(big));
  p.dispose();
});

test('clicking a member opens its file at its range', async () => {
  const p = provider([cloneClasses()]);
  await p.refresh();
  const [big] = p.getChildren() as ClassNode[];
  const members = p.getChildren(big) as MemberNode[];
  assert.equal(members.length, 2);
  const item = p.getTreeItem(members[1]);
  assert.equal(item.command?.command, 'vscode.open');
  const [uri, options] = item.command?.arguments as [vscode.Uri, { selection: vscode.Range }];
  assert.equal(uri.toString(), 'file:///w/c/d.py');
  assert.deepEqual([options.selection.start.line, options.selection.start.character, options.selection.end.line, options.selection.end.character],
    [99, 4, 130, 12]);
  assert.equal((p.getTreeItem(members[0]).iconPath as vscode.ThemeIcon).id, 'star-full');
  p.dispose();
});

test('a failed or missing answer empties the tree instead of keeping stale classes', async () => {
  const p = provider([cloneClasses(), new Error('server gone'), undefined]);
  await p.refresh();
  assert.equal(p.getChildren().length, 2);
  await p.refresh();
  assert.deepEqual(p.getChildren(), []);
  assert.equal(p.classCount, 0);
  await p.refresh();
  assert.deepEqual(p.getChildren(), []);
  p.dispose();
});

test('while the server is indexing the tree asks again', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const p = provider([cloneClasses({ indexing: true }), cloneClasses()]);
  await p.refresh();
  assert.equal(p.getChildren()[0].type, 'note');
  let refreshed!: () => void;
  const done = new Promise<void>((r) => { refreshed = r; });
  p.onDidChangeTreeData(() => refreshed());
  t.mock.timers.tick(2000);
  await done;
  assert.equal(p.getChildren()[0].type, 'class');
  p.dispose();
});
