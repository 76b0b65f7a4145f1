// The Duplicates tree as plain data, built from a `ctxlens/cloneClasses` answer. The view
// (duplicatesView.ts) only turns these nodes into vscode.TreeItems.

import { formatInt, formatSimilarity } from './format';
import type { CloneClass, CloneClassesResult, CloneMember, Range } from './wire';

export interface MemberNode {
  type: 'member';
  classId: string;
  label: string;
  description: string;
  tooltip: string;
  uri: string;
  range: Range;
  canonical: boolean;
}

export interface ClassNode {
  type: 'class';
  id: string;
  label: string;
  description: string;
  tooltip: string;
  collapsed: boolean;
  /** Picks the inline action the class offers: collapse an expanded class, expand a collapsed one. */
  contextValue: 'ctxlens.class.collapsed' | 'ctxlens.class.expanded';
  members: MemberNode[];
}

export interface NoteNode {
  type: 'note';
  label: string;
  tooltip: string;
}

export type DuplicateNode = ClassNode | MemberNode | NoteNode;

/** Top-level nodes: an "indexing" note while the server is still scanning, then the classes,
 *  largest savings first. No classes and no indexing gives no nodes, so the view's welcome
 *  text shows. */
export function buildDuplicateTree(result: CloneClassesResult): DuplicateNode[] {
  const classes = [...result.classes]
    .sort((a, b) => b.tokensSaved - a.tokensSaved || a.id.localeCompare(b.id))
    .map((c) => classNode(c, result));
  if (!result.indexing) return classes;
  const note: NoteNode = {
    type: 'note',
    label: 'Indexing the workspace…',
    tooltip: 'The list shows the duplicates found so far and grows as indexing goes on.',
  };
  return [note, ...classes];
}

function classNode(c: CloneClass, result: CloneClassesResult): ClassNode {
  const canonical = c.members[c.canonical] ?? c.members[0];
  const name = canonical ? shortName(canonical.name) : c.id;
  const kind = kindLabel(c.kind);
  const saved = `${formatInt(c.tokensSaved)} tokens saved`;
  return {
    type: 'class',
    id: c.id,
    label: `${name} ×${c.members.length}`,
    description: `${kind} · ${formatSimilarity(c.similarity)} · ${saved}`,
    tooltip: [
      `${kind} clone class ${c.id}: ${c.members.length} copies, similarity ${formatSimilarity(c.similarity)}`,
      `Collapsing it saves ${formatInt(c.tokensSaved)} tokens (${result.encoding}, ${result.model}).`,
      c.collapsed
        ? 'Collapsed in the context pack: every copy but the canonical one is a one-line reference.'
        : 'Expanded in the context pack: every copy is sent in full.',
    ].join('\n'),
    collapsed: c.collapsed,
    contextValue: c.collapsed ? 'ctxlens.class.collapsed' : 'ctxlens.class.expanded',
    members: c.members.map((m, i) => memberNode(c, m, i === c.canonical, result)),
  };
}

function memberNode(c: CloneClass, m: CloneMember, canonical: boolean, result: CloneClassesResult): MemberNode {
  const lines = lineSpan(m.range);
  return {
    type: 'member',
    classId: c.id,
    label: shortName(m.name),
    description: `${m.path}:${lines} · ${formatInt(m.tokens)} tokens${canonical ? ' · canonical' : ''}`,
    tooltip: `${m.name}\n${m.path}, lines ${lines}: ${formatInt(m.tokens)} tokens (${result.encoding}, ${result.model})` +
      (canonical ? '\nCanonical copy: the one the pack keeps.' : ''),
    uri: m.uri,
    range: m.range,
    canonical,
  };
}

/** "a/b.py::X.parse" → "X.parse": the file is already in the description. */
export function shortName(name: string): string {
  const i = name.lastIndexOf('::');
  return i >= 0 ? name.slice(i + 2) : name;
}

/** 1-based, inclusive line numbers of an LSP range: an end at character 0 ends the line before. */
export function lineSpan(range: Range): string {
  const first = range.start.line + 1;
  const last = Math.max(first, range.end.character === 0 ? range.end.line : range.end.line + 1);
  return first === last ? `${first}` : `${first}–${last}`;
}

export function kindLabel(kind: string): string {
  switch (kind) {
    case 'exact': return 'exact copy';
    case 'renamed': return 'renamed copy';
    case 'near-miss': return 'near-miss copy';
    case 'fragment': return 'copied fragment';
    default: return kind;
  }
}
