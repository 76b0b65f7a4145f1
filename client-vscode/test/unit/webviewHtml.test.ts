import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartPageHtml, diagramCsp, diagramPageHtml, nonce } from '../../src/webviewHtml';

const page = (source: string): string => diagramPageHtml({
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'N0NCE',
  mermaidUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/mermaid.min.js',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/diagram.js',
  source,
  title: 'architecture',
  dark: true,
});

test('the chart page runs no script and loads nothing', () => {
  const html = chartPageHtml({ nonce: 'abc', svg: '<svg></svg>' });
  assert.match(html, /content="default-src 'none'; style-src 'nonce-abc';"/);
  assert.doesNotMatch(html, /<script/);
  assert.match(html, /<style nonce="abc">/);
  assert.match(chartPageHtml({ nonce: 'abc', message: '<waiting>' }), /&lt;waiting&gt;/);
});

test('the diagram page allows scripts by nonce only and no other origin', () => {
  const csp = diagramCsp('https://res', 'N0NCE');
  assert.match(csp, /^default-src 'none'; script-src 'nonce-N0NCE'; /);
  assert.doesNotMatch(csp, /unsafe-eval|\*|http:/);
  const html = page('flowchart LR\n  a --> b');
  const scripts = [...html.matchAll(/<script ([^>]*)>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 2);
  for (const s of scripts) assert.match(s, /^nonce="N0NCE" src="https:\/\/file\+\.vscode-resource/);
});

test('the Mermaid source is escaped into the page, so it cannot inject markup', () => {
  const html = page('flowchart LR\n  a["<script>alert(1)</script>"] --> b');
  assert.equal((html.match(/<script/g) ?? []).length, 2);
  assert.match(html, /a\[&quot;&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;\]/);
});

test('nonces are 32 letters and digits', () => {
  assert.match(nonce(), /^[A-Za-z0-9]{32}$/);
  assert.notEqual(nonce(), nonce());
});
