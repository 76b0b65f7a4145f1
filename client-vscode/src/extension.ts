// Entry point: wires the server, the views, the status bar and the commands together.

import * as vscode from 'vscode';
import { BudgetStore } from './budgetStore';
import { ChartViewProvider } from './chartView';
import { registerCommands } from './commands';
import { ContextProvider } from './contextView';
import { DuplicatesProvider } from './duplicatesView';
import { cloneClassesRequest, tokensRequest } from './protocol';
import { onPythonInterpreterChange } from './pythonExtension';
import { API_KEY_SECRET, Server } from './server';
import { StatusBar } from './statusBar';

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('ctxlens');
  const store = new BudgetStore();
  server = new Server(context, output, store);
  const srv = server;

  const duplicates = new DuplicatesProvider({
    cloneClasses: async () => srv.client?.sendRequest(cloneClassesRequest, {}),
  });
  const duplicatesView = vscode.window.createTreeView('ctxlens.duplicates', { treeDataProvider: duplicates, showCollapseAll: true });
  const contextTree = new ContextProvider(store);
  const contextView = vscode.window.createTreeView('ctxlens.context', { treeDataProvider: contextTree });
  const chart = new ChartViewProvider(store);
  const statusBar = new StatusBar(store, async (params) => srv.client?.sendRequest(tokensRequest, params));

  const showState = (): void => {
    const s = srv.state;
    const message = s.kind === 'failed' ? s.message
      : s.kind === 'starting' ? 'Starting the ctxlens language server…'
        : s.kind === 'stopped' ? 'The ctxlens language server is not running.' : undefined;
    duplicatesView.message = message;
    contextView.message = message ?? (store.current ? undefined : 'Waiting for the first budget from the server…');
  };

  context.subscriptions.push(
    output, store, srv, duplicates, duplicatesView, contextTree, contextView, chart, statusBar,
    vscode.window.registerWebviewViewProvider('ctxlens.chart', chart),
    srv.onDidChangeState((s) => {
      showState();
      if (s.kind === 'running') {
        void duplicates.refresh();
        statusBar.updateTokensSoon();
      }
    }),
    store.onDidChange(() => {
      showState();
      // Collapsing or expanding a class changes the budget and the classes' state together.
      duplicates.refreshSoon();
    }),
    duplicates.onDidChangeTreeData(() => {
      duplicatesView.badge = duplicates.classCount > 0
        ? { value: duplicates.classCount, tooltip: `${duplicates.classCount} clone ${duplicates.classCount === 1 ? 'class' : 'classes'}` }
        : undefined;
    }),
    vscode.languages.onDidChangeDiagnostics(() => duplicates.refreshSoon()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('ctxlens')) return;
      if (e.affectsConfiguration('ctxlens.interpreter') || e.affectsConfiguration('ctxlens.llm.baseUrl')) {
        void srv.restart();
      } else {
        void srv.sendSettings();
      }
    }),
    context.secrets.onDidChange((e) => {
      if (e.key === API_KEY_SECRET) void srv.restart();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void srv.restart()),
  );
  registerCommands(context, srv, duplicates);

  showState();
  void srv.start();

  // Only when the interpreter is not set explicitly does the Python extension's choice count.
  const pythonChange = await onPythonInterpreterChange(() => {
    if (!vscode.workspace.getConfiguration('ctxlens').get<string>('interpreter')) void srv.restart();
  });
  if (pythonChange) context.subscriptions.push(pythonChange);
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
