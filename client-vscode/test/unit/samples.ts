// Payloads shaped as docs/protocol.md shows them, shared by the unit tests.

import type { Budget, CloneClassesResult } from '../../src/wire';

export function cloneClasses(over: Partial<CloneClassesResult> = {}): CloneClassesResult {
  return {
    model: 'gpt-4.1',
    encoding: 'o200k_base',
    indexing: false,
    classes: [
      {
        id: 'c-small', kind: 'renamed', similarity: 1.0, tokensSaved: 120, collapsed: false, canonical: 1,
        members: [
          { uri: 'file:///w/b.py', path: 'b.py', name: 'b.py::total_b',
            range: { start: { line: 2, character: 0 }, end: { line: 9, character: 0 } }, tokens: 130 },
          { uri: 'file:///w/a.py', path: 'a.py', name: 'a.py::total_a',
            range: { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } }, tokens: 131 },
        ],
      },
      {
        id: 'c3f2a1', kind: 'near-miss', similarity: 0.913, tokensSaved: 840, collapsed: true, canonical: 0,
        members: [
          { uri: 'file:///w/a/b.py', path: 'a/b.py', name: 'a/b.py::X.parse',
            range: { start: { line: 9, character: 0 }, end: { line: 41, character: 0 } }, tokens: 412 },
          { uri: 'file:///w/c/d.py', path: 'c/d.py', name: 'c/d.py::Y.parse',
            range: { start: { line: 99, character: 4 }, end: { line: 130, character: 12 } }, tokens: 1430 },
        ],
      },
    ],
    ...over,
  };
}

export function budget(over: Partial<Budget> = {}): Budget {
  return {
    model: 'gpt-4.1',
    encoding: 'o200k_base',
    selection: ['src/'],
    files: 120,
    raw: 410233,
    deduplicated: 352110,
    fitted: 352110,
    reserve: 8000,
    window: 1047576,
    effectiveContext: null,
    stableLimit: 131072,
    verdict: 'warn',
    reasons: ['deduplicated pack 352,110 tokens exceeds the stable limit 131,072 (gpt-4.1 profile)'],
    indexing: false,
    ...over,
  };
}
