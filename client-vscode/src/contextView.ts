// The "Context" tree: the current Budget as rows (contextModel.ts).

import * as vscode from 'vscode';
import type { BudgetStore } from './budgetStore';
import { buildContextRows, type ContextRow } from './contextModel';

export class ContextProvider implements vscode.TreeDataProvider<ContextRow>, vscode.Disposable {
  private rows: ContextRow[] = [];
  private readonly emitter = new vscode.EventEmitter<ContextRow | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(store: BudgetStore) {
    this.rows = store.current ? buildContextRows(store.current) : [];
    this.subscription = store.onDidChange((b) => {
      this.rows = b ? buildContextRows(b) : [];
      this.emitter.fire(undefined);
    });
  }

  getChildren(element?: ContextRow): ContextRow[] {
    return element ? element.children : this.rows;
  }

  getTreeItem(row: ContextRow): vscode.TreeItem {
    const state = row.children.length === 0
      ? vscode.TreeItemCollapsibleState.None
      : row.id === 'verdict'
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(row.label, state);
    item.id = `context:${row.id}`;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon, row.warning ? new vscode.ThemeColor('list.warningForeground') : undefined);
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
