import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDuplicateTree, lineSpan, shortName, type ClassNode } from '../../src/duplicatesModel';
import { cloneClasses } from './samples';

test('classes come largest savings first, whatever order the server sent', () => {
  const nodes = buildDuplicateTree(cloneClasses());
  assert.deepEqual(nodes.map((n) => (n as ClassNode).id), ['c3f2a1', 'c-small']);
});

test('a class names its canonical member, copies, kind, similarity and tokens saved', () => {
  const [big, small] = buildDuplicateTree(cloneClasses()) as ClassNode[];
  assert.equal(big.label, 'X.parse ×2');
  assert.equal(big.description, 'near-miss copy · 91 % · 840 tokens saved');
  assert.match(big.tooltip, /o200k_base, gpt-4\.1/);
  // canonical index 1: the label follows the canonical member, not the first one
  assert.equal(small.label, 'total_a ×2');
});

test('collapsed classes offer expand, expanded ones offer collapse', () => {
  const [big, small] = buildDuplicateTree(cloneClasses()) as ClassNode[];
  assert.equal(big.collapsed, true);
  assert.equal(big.contextValue, 'ctxlens.class.collapsed');
  assert.equal(small.contextValue, 'ctxlens.class.expanded');
});

test('members carry their range for opening, with 1-based lines and tokens', () => {
  const [big] = buildDuplicateTree(cloneClasses()) as ClassNode[];
  const [first, second] = big.members;
  assert.equal(first.label, 'X.parse');
  assert.equal(first.description, 'a/b.py:10–41 · 412 tokens · canonical');
  assert.equal(first.canonical, true);
  assert.equal(second.description, 'c/d.py:100–131 · 1,430 tokens');
  assert.deepEqual(second.range, { start: { line: 99, character: 4 }, end: { line: 130, character: 12 } });
  assert.equal(second.uri, 'file:///w/c/d.py');
});

test('while indexing, a note comes first; nothing at all when there is nothing', () => {
  const nodes = buildDuplicateTree(cloneClasses({ indexing: true }));
  assert.equal(nodes[0].type, 'note');
  assert.equal(nodes.length, 3);
  assert.deepEqual(buildDuplicateTree(cloneClasses({ classes: [] })), []);
  assert.equal(buildDuplicateTree(cloneClasses({ classes: [], indexing: true }))[0].type, 'note');
});

test('names and line spans', () => {
  assert.equal(shortName('src/a.py::Parser.parse'), 'Parser.parse');
  assert.equal(shortName('plain'), 'plain');
  assert.equal(lineSpan({ start: { line: 4, character: 0 }, end: { line: 5, character: 0 } }), '5');
  assert.equal(lineSpan({ start: { line: 4, character: 2 }, end: { line: 4, character: 9 } }), '5');
});
