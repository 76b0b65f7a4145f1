// The "Duplicates" tree: asks the server for clone classes and shows the nodes that
// duplicatesModel.ts builds.

import * as vscode from 'vscode';
import { debounce } from './debounce';
import { buildDuplicateTree, type ClassNode, type DuplicateNode } from './duplicatesModel';
import type { CloneClassesResult } from './wire';

/** What the tree needs from the server: one request. */
export interface CloneClassesSource {
  cloneClasses(): Promise<CloneClassesResult | undefined>;
}

export class DuplicatesProvider implements vscode.TreeDataProvider<DuplicateNode>, vscode.Disposable {
  private nodes: DuplicateNode[] = [];
  private readonly emitter = new vscode.EventEmitter<DuplicateNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Classes known after the last refresh, for the view's badge. */
  classCount = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;
  readonly refreshSoon = debounce(() => void this.refresh(), 400);

  constructor(private readonly source: CloneClassesSource) {}

  async refresh(): Promise<void> {
    let result: CloneClassesResult | undefined;
    try {
      result = await this.source.cloneClasses();
    } catch {
      result = undefined;
    }
    this.nodes = result ? buildDuplicateTree(result) : [];
    this.classCount = this.nodes.filter((n) => n.type === 'class').length;
    this.emitter.fire(undefined);
    // While the server is still indexing, the answer is partial: ask again shortly.
    if (this.pending !== undefined) clearTimeout(this.pending);
    this.pending = result?.indexing ? setTimeout(() => void this.refresh(), 2000) : undefined;
  }

  getChildren(element?: DuplicateNode): DuplicateNode[] {
    if (!element) return this.nodes;
    return element.type === 'class' ? element.members : [];
  }

  getTreeItem(node: DuplicateNode): vscode.TreeItem {
    switch (node.type) {
      case 'note': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('sync');
        item.tooltip = node.tooltip;
        return item;
      }
      case 'class': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `class:${node.id}`;
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.contextValue = node.contextValue;
        item.iconPath = new vscode.ThemeIcon(node.collapsed ? 'fold' : 'unfold');
        return item;
      }
      case 'member': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `member:${node.classId}:${node.uri}:${node.range.start.line}`;
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.contextValue = 'ctxlens.member';
        item.iconPath = new vscode.ThemeIcon(node.canonical ? 'star-full' : 'copy');
        const r = node.range;
        item.command = {
          command: 'vscode.open',
          title: 'Open',
          arguments: [
            vscode.Uri.parse(node.uri),
            { selection: new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character) },
          ],
        };
        return item;
      }
    }
  }

  dispose(): void {
    if (this.pending !== undefined) clearTimeout(this.pending);
    this.refreshSoon.cancel();
    this.emitter.dispose();
  }
}

export function isClassNode(value: unknown): value is ClassNode {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'class';
}
