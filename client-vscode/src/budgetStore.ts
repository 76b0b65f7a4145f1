// The latest Budget the server reported (request, notification or a command's result): the
// Context view, the chart and the status bar all draw from this one value.

import * as vscode from 'vscode';
import type { Budget } from './wire';

export class BudgetStore implements vscode.Disposable {
  private value: Budget | undefined;
  private readonly emitter = new vscode.EventEmitter<Budget | undefined>();
  readonly onDidChange = this.emitter.event;

  get current(): Budget | undefined {
    return this.value;
  }

  set(budget: Budget | undefined): void {
    this.value = budget;
    this.emitter.fire(budget);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
