// Pages of the two webviews (budget chart, Mermaid diagram). Pure: everything a page loads
// comes from the extension's own folder (cspSource); the Content-Security-Policy allows
// nothing else, so the pages never reach the network.

import { esc } from './chartSvg';

export function nonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars.charAt(Math.floor(random() * chars.length));
  return out;
}

export function chartCsp(n: string): string {
  return `default-src 'none'; style-src 'nonce-${n}';`;
}

/** The Budget chart: one inline SVG (or a line saying why there is none yet), no script. */
export function chartPageHtml(opts: { nonce: string; svg?: string; message?: string }): string {
  const body = opts.svg ?? `<p class="message">${esc(opts.message ?? '')}</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${chartCsp(opts.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Budget chart</title>
<style nonce="${opts.nonce}">
  body { padding: 6px 10px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); }
  .budget-chart text { fill: var(--vscode-foreground); font-size: 10px; }
  .budget-chart .caption { fill: var(--vscode-descriptionForeground); }
  .row-raw .bar { fill: var(--vscode-charts-blue); }
  .row-deduplicated .bar { fill: var(--vscode-charts-purple); }
  .row-fitted .bar { fill: var(--vscode-charts-green); }
  .row-stable .bar { fill: var(--vscode-charts-orange); }
  .row-effective .bar { fill: var(--vscode-charts-yellow); }
  .row-window .bar { fill: var(--vscode-charts-foreground, var(--vscode-descriptionForeground)); opacity: 0.5; }
  .warning .bar { fill: var(--vscode-charts-red); }
  .warning text { fill: var(--vscode-errorForeground); }
  .limit { stroke: var(--vscode-charts-orange); stroke-width: 1; stroke-dasharray: 3 2; }
  .message { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

export function diagramCsp(cspSource: string, n: string): string {
  // Mermaid writes <style> elements into the SVG it draws, hence 'unsafe-inline' for styles only.
  return [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ') + ';';
}

/** The architecture diagram: Mermaid (bundled in media/, loaded from the extension) renders
 *  the source, which sits HTML-escaped in the page and is read back as text. */
export function diagramPageHtml(opts: {
  cspSource: string;
  nonce: string;
  mermaidUri: string;
  scriptUri: string;
  source: string;
  title: string;
  dark: boolean;
  notes?: string[];
}): string {
  const notes = (opts.notes ?? []).map((n) => `<li>${esc(n)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${diagramCsp(opts.cspSource, opts.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(opts.title)}</title>
<style nonce="${opts.nonce}">
  body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); padding: 12px; }
  #diagram svg { max-width: 100%; height: auto; }
  #error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  details pre { white-space: pre-wrap; }
</style>
</head>
<body data-theme="${opts.dark ? 'dark' : 'default'}">
<h2>${esc(opts.title)}</h2>
<div id="diagram" class="mermaid-target">${esc(opts.source)}</div>
<div id="error"></div>
${notes ? `<ul class="notes">${notes}</ul>` : ''}
<details><summary>Mermaid source</summary><pre id="source">${esc(opts.source)}</pre></details>
<script nonce="${opts.nonce}" src="${esc(opts.mermaidUri)}"></script>
<script nonce="${opts.nonce}" src="${esc(opts.scriptUri)}"></script>
</body>
</html>`;
}
