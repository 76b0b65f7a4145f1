// The custom LSP messages as typed message objects (docs/protocol.md), in one place.

import { NotificationType, RequestType } from 'vscode-languageclient/node';
import type { Budget, CloneClassesResult, TokensParams, TokensResult } from './wire';

export const cloneClassesRequest = new RequestType<{ uri?: string }, CloneClassesResult, void>('ctxlens/cloneClasses');
export const budgetRequest = new RequestType<Record<string, never>, Budget, void>('ctxlens/budget');
export const tokensRequest = new RequestType<TokensParams, TokensResult, void>('ctxlens/tokens');
export const budgetChangedNotification = new NotificationType<Budget>('ctxlens/budgetChanged');

/** Commands the server runs (`workspace/executeCommand`). The language client registers each
 *  under its own name, so the extension's menu and palette commands use other names and call
 *  these. */
export const ServerCommand = {
  collapseClass: 'ctxlens.collapseClass',
  expandClass: 'ctxlens.expandClass',
  showDuplicates: 'ctxlens.showDuplicates',
  addToContext: 'ctxlens.addToContext',
  removeFromContext: 'ctxlens.removeFromContext',
  preflight: 'ctxlens.preflight',
  exportPack: 'ctxlens.exportPack',
  ask: 'ctxlens.ask',
  diagram: 'ctxlens.diagram',
} as const;
