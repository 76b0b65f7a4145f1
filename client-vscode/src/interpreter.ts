// Which Python runs the server, and whether it has ctxlens. Pure apart from the process
// runner, which callers pass in (tests pass real interpreters; the extension passes execFile).

import { execFile } from 'node:child_process';
import * as path from 'node:path';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface Interpreter {
  command: string;
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** `ctxlens.interpreter`, as the user wrote it. */
  setting?: string;
  /** The Python extension's active interpreter for the workspace, when it is installed. */
  pythonExtension?: string;
  workspaceFolder?: string;
  home?: string;
}

export const DEFAULT_PYTHON = 'python3';

/** The setting wins, then the Python extension's choice, then `python3` on PATH. */
export function resolveInterpreter(inputs: InterpreterInputs): Interpreter {
  const setting = inputs.setting?.trim();
  if (setting) return { command: expandPath(setting, inputs), source: 'setting' };
  const fromExtension = inputs.pythonExtension?.trim();
  if (fromExtension) return { command: fromExtension, source: 'python-extension' };
  return { command: DEFAULT_PYTHON, source: 'default' };
}

/** Expands `~` and `${workspaceFolder}`; a relative path with a separator is taken from the
 *  workspace folder, a bare name ("python3.12") is left for PATH to find. */
export function expandPath(p: string, inputs: Pick<InterpreterInputs, 'workspaceFolder' | 'home'>): string {
  let out = p;
  if (inputs.workspaceFolder !== undefined) out = out.split('${workspaceFolder}').join(inputs.workspaceFolder);
  if (inputs.home !== undefined && (out === '~' || out.startsWith('~/'))) out = inputs.home + out.slice(1);
  if (!path.isAbsolute(out) && out.includes('/') && inputs.workspaceFolder !== undefined) {
    out = path.join(inputs.workspaceFolder, out);
  }
  return out;
}

export function sourceText(source: InterpreterSource): string {
  switch (source) {
    case 'setting': return 'the ctxlens.interpreter setting';
    case 'python-extension': return "the Python extension's active interpreter";
    case 'default': return 'the default, python3 on PATH';
  }
}

export interface RunResult {
  /** Exit code; null when the process could not start or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not start: "ENOENT", "EACCES", … */
  spawnError?: string;
}

export type Runner = (command: string, args: string[]) => Promise<RunResult>;

export type CtxlensCheck =
  | { ok: true; version: string }
  | { ok: false; problem: 'not-found' | 'missing-module' | 'no-server' | 'failed'; detail: string };

// Imports ctxlens, then asks whether this version has the language server, without loading it.
const PROBE = [
  'import importlib.util, sys, ctxlens',
  "sys.stdout.write(ctxlens.__version__ + ' ' + str(importlib.util.find_spec('ctxlens.lsp') is not None))",
].join('; ');

export async function checkCtxlens(command: string, run: Runner): Promise<CtxlensCheck> {
  const result = await run(command, ['-c', PROBE]);
  if (result.spawnError !== undefined) {
    return { ok: false, problem: 'not-found', detail: result.spawnError };
  }
  if (result.code === 0) {
    const [version, hasServer] = result.stdout.trim().split(' ');
    if (hasServer !== 'True') {
      return { ok: false, problem: 'no-server', detail: `ctxlens ${version} has no language server` };
    }
    return { ok: true, version };
  }
  const lastLine = result.stderr.trim().split('\n').pop() ?? '';
  if (/ModuleNotFoundError: No module named '?ctxlens'?/.test(result.stderr)) {
    return { ok: false, problem: 'missing-module', detail: lastLine };
  }
  return { ok: false, problem: 'failed', detail: lastLine || `exit code ${String(result.code)}` };
}

/** What to tell the user when the check failed, with the command that fixes it. */
export function adviceFor(interp: Interpreter, check: Exclude<CtxlensCheck, { ok: true }>): string {
  const who = `${interp.command} (${sourceText(interp.source)})`;
  switch (check.problem) {
    case 'not-found':
      return `ctxlens: the Python interpreter ${who} could not be started (${check.detail}). ` +
        'Set "ctxlens.interpreter" to a Python that has ctxlens installed.';
    case 'missing-module':
      return `ctxlens is not installed for ${who}. Install it with \`${installCommand(interp.command)}\` ` +
        '(or, in a ctxlens checkout, run `scripts/setup` and set "ctxlens.interpreter" to its .venv/bin/python).';
    case 'no-server':
      return `${check.detail} (${who}): it predates \`ctxlens serve\`. ` +
        `Upgrade it with \`${installCommand(interp.command).replace(' install ', ' install --upgrade ')}\`.`;
    case 'failed':
      return `ctxlens could not be imported by ${who}: ${check.detail}. ` +
        `Reinstall it with \`${installCommand(interp.command)}\`.`;
  }
}

export function installCommand(command: string): string {
  const quoted = /\s/.test(command) ? `"${command}"` : command;
  return `${quoted} -m pip install ctxlens`;
}

/** Arguments of the server process; the language client adds `--stdio`. The CLI module is
 *  named rather than the package, so no `ctxlens/__main__.py` is needed. */
export const SERVER_ARGS: readonly string[] = ['-m', 'ctxlens.cli', 'serve'];

export const execFileRunner: Runner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 30_000, windowsHide: true }, (error, stdout, stderr) => {
      const spawnError = error && typeof (error as NodeJS.ErrnoException).code === 'string'
        ? (error as NodeJS.ErrnoException).code
        : undefined;
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), spawnError });
    });
  });
