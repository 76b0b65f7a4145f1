// Renders the Mermaid source of the page (see webviewHtml.ts) with the bundled mermaid.min.js.
/* global mermaid, acquireVsCodeApi */
(function () {
  const vscode = acquireVsCodeApi();
  const target = document.getElementById('diagram');
  const error = document.getElementById('error');
  const source = document.getElementById('source').textContent || '';
  const theme = document.body.dataset.theme === 'dark' ? 'dark' : 'default';
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme });
  mermaid
    .render('ctxlens-diagram', source)
    .then(({ svg }) => {
      target.innerHTML = svg;
      target.dataset.rendered = 'true';
      vscode.postMessage({ type: 'rendered' });
    })
    .catch((e) => {
      target.textContent = '';
      error.textContent = 'Mermaid could not draw this diagram: ' + (e && e.message ? e.message : String(e));
      vscode.postMessage({ type: 'error', message: String(e && e.message ? e.message : e) });
    });
})();
