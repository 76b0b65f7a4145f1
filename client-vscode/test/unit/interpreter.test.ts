import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import {
  adviceFor,
  checkCtxlens,
  execFileRunner,
  expandPath,
  installCommand,
  resolveInterpreter,
  SERVER_ARGS,
} from '../../src/interpreter';

// out/test/ → the repository root, whose .venv has ctxlens (scripts/setup).
const repo = resolve(__dirname, '..', '..', '..');
const venvPython = join(repo, '.venv', 'bin', 'python');

test('the setting wins, then the Python extension, then python3', () => {
  assert.deepEqual(resolveInterpreter({ setting: '/opt/py/bin/python', pythonExtension: '/x/python' }),
    { command: '/opt/py/bin/python', source: 'setting' });
  assert.deepEqual(resolveInterpreter({ setting: '  ', pythonExtension: '/x/python' }),
    { command: '/x/python', source: 'python-extension' });
  assert.deepEqual(resolveInterpreter({}), { command: 'python3', source: 'default' });
});

test('~, ${workspaceFolder} and relative paths are expanded; bare names are left for PATH', () => {
  const ctx = { workspaceFolder: '/w/proj', home: '/home/me' };
  assert.equal(expandPath('~/venvs/x/bin/python', ctx), '/home/me/venvs/x/bin/python');
  assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', ctx), '/w/proj/.venv/bin/python');
  assert.equal(expandPath('.venv/bin/python', ctx), '/w/proj/.venv/bin/python');
  assert.equal(expandPath('python3.12', ctx), 'python3.12');
  assert.equal(resolveInterpreter({ setting: '.venv/bin/python', ...ctx }).command, '/w/proj/.venv/bin/python');
});

test('a Python with ctxlens passes the check and reports its version', async () => {
  assert.ok(existsSync(venvPython), `${venvPython} is missing: run scripts/setup first`);
  const check = await checkCtxlens(venvPython, execFileRunner);
  assert.deepEqual(check, { ok: true, version: execFileSync(venvPython, ['-c', 'import ctxlens; print(ctxlens.__version__)']).toString().trim() });
});

// A fresh virtual environment has only the standard library: no ctxlens.
const bare = mkdtempSync(join(tmpdir(), 'ctxlens-bare-venv-'));
before(() => execFileSync(venvPython, ['-m', 'venv', '--without-pip', bare]));
after(() => rmSync(bare, { recursive: true, force: true }));

test('a Python without ctxlens gets the install command', async () => {
  const python = join(bare, 'bin', 'python');
  const check = await checkCtxlens(python, execFileRunner);
  assert.equal(check.ok, false);
  assert.equal(!check.ok && check.problem, 'missing-module');
  const advice = !check.ok ? adviceFor({ command: python, source: 'setting' }, check) : '';
  assert.match(advice, /ctxlens is not installed for .* \(the ctxlens\.interpreter setting\)/);
  assert.ok(advice.includes(`${python} -m pip install ctxlens`));
  assert.match(advice, /scripts\/setup/);
});

test('a ctxlens without the language server is told to upgrade', async (t) => {
  // An old ctxlens, in a venv of its own: the package imports, but has no ctxlens.lsp.
  const old = mkdtempSync(join(tmpdir(), 'ctxlens-old-venv-'));
  t.after(() => rmSync(old, { recursive: true, force: true }));
  execFileSync(venvPython, ['-m', 'venv', '--without-pip', old]);
  const lib = join(old, 'lib');
  const site = join(lib, readdirSync(lib).find((d) => d.startsWith('python')) ?? 'python3', 'site-packages', 'ctxlens');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, '__init__.py'), '__version__ = "0.0.1"\n');
  const python = join(old, 'bin', 'python');
  const check = await checkCtxlens(python, execFileRunner);
  assert.deepEqual(check, { ok: false, problem: 'no-server', detail: 'ctxlens 0.0.1 has no language server' });
  assert.match(adviceFor({ command: python, source: 'setting' }, check as never), /-m pip install --upgrade ctxlens/);
});

test('the installed ctxlens accepts the command line the client starts it with', () => {
  // The language client appends --stdio (TransportKind.stdio).
  const help = execFileSync(venvPython, [...SERVER_ARGS, '--stdio', '--help']).toString();
  assert.match(help, /usage: ctxlens serve/);
  assert.match(help, /--stdio/);
});

test('an interpreter that does not exist is named as such', async () => {
  const check = await checkCtxlens('/nonexistent/bin/python3', execFileRunner);
  assert.deepEqual(check, { ok: false, problem: 'not-found', detail: 'ENOENT' });
  assert.match(adviceFor({ command: '/nonexistent/bin/python3', source: 'default' }, check as never), /could not be started \(ENOENT\)/);
});

test('a broken ctxlens install is reported with Python\'s own error', async () => {
  // The interpreter starts, but importing fails for another reason than a missing module.
  const check = await checkCtxlens(venvPython, async (command, args) => {
    void command; void args;
    return { code: 1, stdout: '', stderr: 'Traceback...\nImportError: cannot import name x\n' };
  });
  assert.deepEqual(check, { ok: false, problem: 'failed', detail: 'ImportError: cannot import name x' });
});

test('install commands quote paths with spaces', () => {
  assert.equal(installCommand('/opt/My Python/bin/python'), '"/opt/My Python/bin/python" -m pip install ctxlens');
});
