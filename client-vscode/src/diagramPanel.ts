// The architecture diagram in a webview panel, drawn by the Mermaid copy bundled in media/.

import * as vscode from 'vscode';
import type { DiagramResult } from './wire';
import { diagramPageHtml, nonce } from './webviewHtml';

export const DIAGRAM_VIEW_TYPE = 'ctxlens.diagram';

export function showDiagram(
  extensionUri: vscode.Uri,
  diagram: DiagramResult,
  title: string,
  output: vscode.OutputChannel,
): vscode.WebviewPanel {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel(DIAGRAM_VIEW_TYPE, title, vscode.ViewColumn.Beside, {
    enableScripts: true,
    localResourceRoots: [media],
  });
  const webview = panel.webview;
  const kind = vscode.window.activeColorTheme.kind;
  webview.html = diagramPageHtml({
    cspSource: webview.cspSource,
    nonce: nonce(),
    mermaidUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'mermaid.min.js')).toString(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'diagram.js')).toString(),
    source: diagram.mermaid,
    title,
    notes: diagramNotes(diagram),
    dark: kind === vscode.ColorThemeKind.Dark || kind === vscode.ColorThemeKind.HighContrast,
  });
  webview.onDidReceiveMessage((m: { type?: string; message?: string }) => {
    if (m.type === 'error') output.appendLine(`[ctxlens] Mermaid could not draw the diagram: ${m.message ?? ''}`);
  });
  return panel;
}

function diagramNotes(d: DiagramResult): string[] {
  const notes: string[] = [];
  if (d.uri) notes.push(`Written to ${vscode.workspace.asRelativePath(vscode.Uri.parse(d.uri))}.`);
  if (d.model) notes.push(`Drawn by ${d.model}${typeof d.costUsd === 'number' ? ` for $${d.costUsd.toFixed(4)}` : ''}.`);
  for (const p of d.problems ?? []) notes.push(`Still wrong after one re-ask: ${p}`);
  return notes;
}
