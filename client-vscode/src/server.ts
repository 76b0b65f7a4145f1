// Starts, stops and restarts `python -m ctxlens serve` with the right interpreter, settings
// and environment, and hands the running LanguageClient to the views.

import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import type { BudgetStore } from './budgetStore';
import {
  adviceFor,
  checkCtxlens,
  execFileRunner,
  installCommand,
  type Interpreter,
  resolveInterpreter,
  SERVER_ARGS,
  sourceText,
} from './interpreter';
import { budgetChangedNotification, budgetRequest } from './protocol';
import { pythonExtensionInterpreter } from './pythonExtension';
import { serverEnvironment, serverSettings } from './settings';
import { isBudget } from './wire';

export const API_KEY_SECRET = 'ctxlens.apiKey';

export type ServerState =
  | { kind: 'stopped' }
  | { kind: 'starting'; interpreter?: Interpreter }
  | { kind: 'running'; interpreter: Interpreter; version: string }
  | { kind: 'failed'; message: string };

export class Server implements vscode.Disposable {
  private lsp: LanguageClient | undefined;
  private stateValue: ServerState = { kind: 'stopped' };
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  /** Serialises start/stop/restart: settings can change while a start is still running. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.OutputChannel,
    private readonly budget: BudgetStore,
  ) {}

  get state(): ServerState {
    return this.stateValue;
  }

  /** The running client, or undefined while none is running. */
  get client(): LanguageClient | undefined {
    return this.lsp?.state === State.Running ? this.lsp : undefined;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  /** Sends the settings again after a ctxlens.* setting changed (no restart needed). */
  async sendSettings(): Promise<void> {
    const c = this.client;
    if (!c) return;
    await c.sendNotification('workspace/didChangeConfiguration', { settings: { ctxlens: currentSettings() } });
  }

  /** Runs one of the server's commands; a Budget it returns becomes the current one. */
  async executeCommand(command: string, args: unknown[]): Promise<unknown> {
    // A command run while the server (re)starts waits for it instead of failing.
    await this.queue;
    const c = this.client;
    if (!c) throw new Error('the ctxlens language server is not running (see "ctxlens: Show server log")');
    const result = await c.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    if (isBudget(result)) this.budget.set(result);
    return result;
  }

  async refreshBudget(): Promise<void> {
    const c = this.client;
    if (!c) return;
    const result = await c.sendRequest(budgetRequest, {});
    if (isBudget(result)) this.budget.set(result);
  }

  dispose(): void {
    void this.doStop();
    this.stateEmitter.dispose();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setState(state: ServerState): void {
    this.stateValue = state;
    void vscode.commands.executeCommand('setContext', 'ctxlens.running', state.kind === 'running');
    this.stateEmitter.fire(state);
  }

  private async doStart(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const config = vscode.workspace.getConfiguration('ctxlens', folder?.uri);
    const trusted = vscode.workspace.isTrusted;
    // In an untrusted workspace only the user's own (global) interpreter setting counts.
    const setting = trusted ? config.get<string>('interpreter') : config.inspect<string>('interpreter')?.globalValue;
    const interp = resolveInterpreter({
      setting,
      pythonExtension: setting ? undefined : await pythonExtensionInterpreter(folder?.uri),
      workspaceFolder: folder?.uri.fsPath,
      home: os.homedir(),
    });
    this.setState({ kind: 'starting', interpreter: interp });
    this.output.appendLine(`[ctxlens] interpreter: ${interp.command} (${sourceText(interp.source)})`);

    const check = await checkCtxlens(interp.command, execFileRunner);
    if (!check.ok) {
      const message = adviceFor(interp, check);
      this.output.appendLine(`[ctxlens] ${message}`);
      this.setState({ kind: 'failed', message });
      void this.offerFix(message, interp);
      return;
    }
    this.output.appendLine(`[ctxlens] ctxlens ${check.version} found; starting ${interp.command} ${SERVER_ARGS.join(' ')} --stdio`);

    const apiKey = await this.context.secrets.get(API_KEY_SECRET);
    const serverOptions: ServerOptions = {
      command: interp.command,
      args: [...SERVER_ARGS],
      transport: TransportKind.stdio,
      options: {
        cwd: folder?.uri.fsPath,
        env: serverEnvironment(process.env, apiKey, config.get<string>('llm.baseUrl')),
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }],
      initializationOptions: currentSettings(),
      outputChannel: this.output,
      middleware: {
        // Code actions run server commands through the client's own command registrations;
        // catching their results here keeps the views current even between notifications.
        executeCommand: async (command, args, next) => {
          const result: unknown = await next(command, args);
          if (isBudget(result)) this.budget.set(result);
          return result;
        },
      },
    };
    const lsp = new LanguageClient('ctxlens', 'ctxlens', serverOptions, clientOptions);
    this.lsp = lsp;
    lsp.onNotification(budgetChangedNotification, (b) => {
      if (isBudget(b)) this.budget.set(b);
    });
    try {
      await lsp.start();
    } catch (e) {
      const message = `ctxlens: the language server did not start: ${errorText(e)}`;
      this.output.appendLine(`[ctxlens] ${message}`);
      this.lsp = undefined;
      this.setState({ kind: 'failed', message });
      void vscode.window.showErrorMessage(message, 'Show log').then((a) => a && this.output.show());
      return;
    }
    lsp.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.lsp === lsp) {
        this.setState({ kind: 'failed', message: 'the ctxlens language server stopped; see the server log' });
      } else if (e.newState === State.Running && this.lsp === lsp) {
        this.setState({ kind: 'running', interpreter: interp, version: check.version });
      }
    });
    this.setState({ kind: 'running', interpreter: interp, version: check.version });
    try {
      await this.refreshBudget();
    } catch (e) {
      this.output.appendLine(`[ctxlens] ctxlens/budget failed: ${errorText(e)}`);
    }
  }

  private async doStop(): Promise<void> {
    const lsp = this.lsp;
    this.lsp = undefined;
    this.budget.set(undefined);
    if (lsp) {
      try {
        await lsp.stop(5000);
      } catch (e) {
        this.output.appendLine(`[ctxlens] stopping the server: ${errorText(e)}`);
      }
    }
    if (this.stateValue.kind !== 'failed') this.setState({ kind: 'stopped' });
  }

  private async offerFix(message: string, interp: Interpreter): Promise<void> {
    const copy = 'Copy install command';
    const pick = 'Set interpreter';
    const log = 'Show log';
    const answer = await vscode.window.showErrorMessage(message, copy, pick, log);
    if (answer === copy) await vscode.env.clipboard.writeText(installCommand(interp.command));
    else if (answer === pick) await vscode.commands.executeCommand('workbench.action.openSettings', 'ctxlens.interpreter');
    else if (answer === log) this.output.show();
  }
}

export function currentSettings(): Record<string, unknown> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const config = vscode.workspace.getConfiguration('ctxlens', folder?.uri);
  return serverSettings((key) => config.inspect(key));
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
