// Two status bar items: exact tokens of the current file or selection (asked of the server,
// debounced, as the text changes) and the context total against the stable limit.

import * as vscode from 'vscode';
import type { BudgetStore } from './budgetStore';
import { debounce, type Debounced } from './debounce';
import { formatContextStatus, formatTokenStatus, type StatusLevel } from './statusFormat';
import type { TokensParams, TokensResult } from './wire';

export const FOCUS_CONTEXT_COMMAND = 'ctxlens.context.focus';

/** What the token item needs from the server. */
export type TokensSource = (params: TokensParams) => Promise<TokensResult | undefined>;

export class StatusBar implements vscode.Disposable {
  readonly tokenItem: vscode.StatusBarItem;
  readonly contextItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  /** Answers to older requests arrive after newer ones when the user types fast: drop them. */
  private sequence = 0;
  readonly updateTokensSoon: Debounced<[]>;

  constructor(private readonly store: BudgetStore, private readonly tokens: TokensSource, delayMs = 250) {
    this.tokenItem = vscode.window.createStatusBarItem('ctxlens.tokens', vscode.StatusBarAlignment.Right, 101);
    this.tokenItem.name = 'ctxlens: tokens of the file or selection';
    this.tokenItem.command = FOCUS_CONTEXT_COMMAND;
    this.contextItem = vscode.window.createStatusBarItem('ctxlens.context', vscode.StatusBarAlignment.Right, 100);
    this.contextItem.name = 'ctxlens: context total';
    this.contextItem.command = FOCUS_CONTEXT_COMMAND;
    this.updateTokensSoon = debounce(() => void this.updateTokens(), delayMs);
    this.disposables.push(
      this.tokenItem,
      this.contextItem,
      store.onDidChange(() => this.updateContext()),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateTokensSoon()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor) this.updateTokensSoon();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document && e.contentChanges.length > 0) this.updateTokensSoon();
      }),
    );
    this.updateContext();
  }

  updateContext(): void {
    const b = this.store.current;
    if (!b) {
      this.contextItem.hide();
      return;
    }
    const s = formatContextStatus(b);
    this.contextItem.text = s.text;
    this.contextItem.tooltip = s.tooltip;
    this.contextItem.backgroundColor = background(s.level);
    this.contextItem.show();
  }

  async updateTokens(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const seq = ++this.sequence;
    if (!editor || editor.document.uri.scheme !== 'file') {
      this.tokenItem.hide();
      return;
    }
    const selection = editor.selection;
    const doc = editor.document;
    const selected = selection.isEmpty ? 0 : doc.offsetAt(selection.end) - doc.offsetAt(selection.start);
    const params: TokensParams = { uri: doc.uri.toString() };
    if (selected > 0) {
      params.range = {
        start: { line: selection.start.line, character: selection.start.character },
        end: { line: selection.end.line, character: selection.end.character },
      };
    }
    let result: TokensResult | undefined;
    try {
      result = await this.tokens(params);
    } catch {
      result = undefined;
    }
    if (seq !== this.sequence) return;
    if (!result) {
      this.tokenItem.hide();
      return;
    }
    const s = formatTokenStatus(result, { fileName: vscode.workspace.asRelativePath(doc.uri), selected });
    this.tokenItem.text = s.text;
    this.tokenItem.tooltip = s.tooltip;
    this.tokenItem.show();
  }

  dispose(): void {
    this.updateTokensSoon.cancel();
    for (const d of this.disposables) d.dispose();
  }
}

function background(level: StatusLevel): vscode.ThemeColor | undefined {
  if (level === 'error') return new vscode.ThemeColor('statusBarItem.errorBackground');
  if (level === 'warning') return new vscode.ThemeColor('statusBarItem.warningBackground');
  return undefined;
}
