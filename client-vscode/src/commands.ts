// The extension's commands: explorer menu, tree actions and palette. Each one asks the server
// to do the work (workspace/executeCommand) and shows what comes back.

import * as vscode from 'vscode';
import { showDiagram } from './diagramPanel';
import { isClassNode, type DuplicatesProvider } from './duplicatesView';
import { ServerCommand } from './protocol';
import { askMarkdown, exportMessage, preflightMarkdown, preflightSummary } from './reports';
import { API_KEY_SECRET, errorText, type Server } from './server';
import { type AskResult, type DiagramResult, type ExportPackResult, isPreflight } from './wire';

export function registerCommands(
  context: vscode.ExtensionContext,
  server: Server,
  duplicates: DuplicatesProvider,
): void {
  const run = (id: string, fn: (...args: never[]) => Promise<unknown>): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        server.output.appendLine(`[ctxlens] ${id}: ${errorText(e)}`);
        // The server refuses to send (or was not told yes) with the Preflight as the error's data.
        const data = (e as { data?: unknown }).data;
        if (isPreflight(data)) {
          const show = 'Show preflight';
          const answer = await vscode.window.showErrorMessage(`ctxlens: ${errorText(e)}`, show);
          if (answer === show) await openMarkdown(preflightMarkdown(data));
        } else {
          void vscode.window.showErrorMessage(`ctxlens: ${errorText(e)}`);
        }
        return undefined;
      }
    }));
  };

  run('ctxlens.addToLlmContext', (uri?: vscode.Uri, uris?: vscode.Uri[]) => changeSelection(server, ServerCommand.addToContext, uri, uris));
  run('ctxlens.removeFromLlmContext', (uri?: vscode.Uri, uris?: vscode.Uri[]) => changeSelection(server, ServerCommand.removeFromContext, uri, uris));

  run('ctxlens.collapseDuplicates', async (node?: unknown) => {
    if (!isClassNode(node)) return;
    await server.executeCommand(ServerCommand.collapseClass, [node.id]);
    await duplicates.refresh();
  });
  run('ctxlens.expandDuplicates', async (node?: unknown) => {
    if (!isClassNode(node)) return;
    await server.executeCommand(ServerCommand.expandClass, [node.id]);
    await duplicates.refresh();
  });
  run('ctxlens.refreshDuplicates', () => duplicates.refresh());
  run('ctxlens.refreshContext', () => server.refreshBudget());

  run('ctxlens.preflightContext', async () => {
    const result = await withProgress('ctxlens: preflight', () => server.executeCommand(ServerCommand.preflight, []));
    await openMarkdown(preflightMarkdown(result));
  });

  run('ctxlens.exportContextPack', async () => {
    const format = await vscode.window.showQuickPick(
      [{ label: 'md', description: 'Markdown' }, { label: 'xml', description: 'XML' }],
      { title: 'ctxlens: export the context pack as' },
    );
    if (!format) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `ctxlens-pack.${format.label}`) : undefined,
      filters: { [format.description]: [format.label] },
      title: 'ctxlens: write the context pack to',
    });
    if (!target) return;
    const result = (await withProgress('ctxlens: exporting the context pack', () =>
      server.executeCommand(ServerCommand.exportPack, [{ format: format.label, output: target.toString() }]))) as ExportPackResult;
    const open = await vscode.window.showInformationMessage(exportMessage(result), 'Open');
    if (open) await vscode.window.showTextDocument(vscode.Uri.parse(result.uri));
  });

  run('ctxlens.askLlm', async () => {
    const question = await vscode.window.showInputBox({
      title: 'ctxlens: ask the LLM about the context',
      prompt: 'The context pack is sent with your question (after the preflight checks).',
      ignoreFocusOut: true,
    });
    if (!question) return;
    if (!(await confirmSend(context, server, question))) return;
    const result = (await withProgress('ctxlens: asking the LLM', () =>
      server.executeCommand(ServerCommand.ask, [{ question, yes: true }]))) as AskResult;
    await openMarkdown(askMarkdown(question, result));
  });

  run('ctxlens.architectureDiagram', async () => {
    if (!(await confirmSend(context, server, undefined))) return;
    const result = (await withProgress('ctxlens: drawing the architecture diagram', () =>
      server.executeCommand(ServerCommand.diagram, [{ yes: true }]))) as DiagramResult;
    showDiagram(context.extensionUri, result, 'ctxlens: architecture', server.output);
  });

  run('ctxlens.setApiKey', async () => {
    const key = await vscode.window.showInputBox({
      title: 'ctxlens: API key for the OpenAI-compatible endpoint',
      prompt: "Kept in VS Code's secret storage and handed to the server as OPENAI_API_KEY; never written to settings.",
      password: true,
      ignoreFocusOut: true,
    });
    if (!key) return;
    await context.secrets.store(API_KEY_SECRET, key.trim());
    void vscode.window.showInformationMessage('ctxlens: API key saved; the language server restarts to use it.');
  });
  run('ctxlens.clearApiKey', async () => {
    await context.secrets.delete(API_KEY_SECRET);
    void vscode.window.showInformationMessage('ctxlens: API key removed.');
  });

  run('ctxlens.restartServer', () => server.restart());
  run('ctxlens.showLog', async () => server.output.show());
}

async function changeSelection(server: Server, command: string, uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<void> {
  // The explorer passes the clicked item and, with a multi-selection, every selected item.
  const targets = uris && uris.length > 0 ? uris : uri ? [uri] : activeFile();
  if (targets.length === 0) return;
  await server.executeCommand(command, targets.map((u) => u.toString()));
  const verb = command === ServerCommand.addToContext ? 'Added to' : 'Removed from';
  vscode.window.setStatusBarMessage(`ctxlens: ${verb} the LLM context: ${targets.map((u) => vscode.workspace.asRelativePath(u)).join(', ')}`, 4000);
}

function activeFile(): vscode.Uri[] {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && uri.scheme === 'file' ? [uri] : [];
}

/** Runs the preflight and asks before anything leaves the machine. */
async function confirmSend(context: vscode.ExtensionContext, server: Server, question: string | undefined): Promise<boolean> {
  if (!(await context.secrets.get(API_KEY_SECRET)) && !vscode.workspace.getConfiguration('ctxlens').get<string>('llm.baseUrl')) {
    const set = 'Set API key';
    const answer = await vscode.window.showWarningMessage(
      'ctxlens: no API key is set and no local endpoint is configured (ctxlens.llm.baseUrl).', set, 'Continue');
    if (answer === set) {
      await vscode.commands.executeCommand('ctxlens.setApiKey');
      return false;
    }
    if (answer !== 'Continue') return false;
  }
  const preflight = await withProgress('ctxlens: preflight', () =>
    server.executeCommand(ServerCommand.preflight, question ? [{ question }] : []));
  if (!isPreflight(preflight)) {
    await openMarkdown(preflightMarkdown(preflight, question));
    return false;
  }
  const details = 'Show preflight';
  if (preflight.verdict === 'refuse') {
    const answer = await vscode.window.showErrorMessage(
      'ctxlens: the preflight refuses to send this context.', { modal: true, detail: preflightSummary(preflight) }, details);
    if (answer === details) await openMarkdown(preflightMarkdown(preflight, question));
    return false;
  }
  const send = 'Send';
  const answer = await vscode.window.showWarningMessage(
    'ctxlens: send the context pack to the LLM?', { modal: true, detail: preflightSummary(preflight) }, send, details);
  if (answer === details) await openMarkdown(preflightMarkdown(preflight, question));
  return answer === send;
}

function withProgress<T>(title: string, task: () => Promise<T>): Promise<T> {
  return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, task));
}

async function openMarkdown(content: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ content, language: 'markdown' });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
