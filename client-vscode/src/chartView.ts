// The "Budget chart" webview view: the current Budget drawn as inline SVG, no script.

import * as vscode from 'vscode';
import type { BudgetStore } from './budgetStore';
import { budgetChartSvg } from './chartSvg';
import { chartPageHtml, nonce } from './webviewHtml';

export class ChartViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: BudgetStore) {
    this.subscription = store.onDidChange(() => this.render());
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = { enableScripts: false, localResourceRoots: [] };
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
    });
    this.render();
  }

  private render(): void {
    if (!this.view) return;
    const b = this.store.current;
    this.view.webview.html = b
      ? chartPageHtml({ nonce: nonce(), svg: budgetChartSvg(b) })
      : chartPageHtml({ nonce: nonce(), message: 'Waiting for the ctxlens language server…' });
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
