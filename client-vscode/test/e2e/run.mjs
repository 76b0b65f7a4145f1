// End to end: the packaged extension in a real VS Code (code-server), driven through Chromium
// by playwright-core, against the real `ctxlens serve` of the repository's venv.
// scripts/test-vscode installs the tools and calls this; run that script rather than this file.
//
// Each step asserts what a user would see and leaves a screenshot in --out:
//   01 a duplicate diagnostic in the Problems panel
//   02 the hover over a duplicated function, with its exact tokens
//   03 the Duplicates tree listing the clone class
//   04 the status bar token count changing after typing
//   05/06 the "Expand duplicates" / "Collapse duplicates" code actions changing the Context totals
//   07 the Budget chart drawing the same totals
//   08/09 "Add to LLM context" in the Explorer menu changing the Context selection
//   10/11 "Set API key" (secret storage), then "Architecture diagram": the preflight's send
//         dialog and the Mermaid webview, against the project's local OpenAI-compatible server
//   12/13 "Ask the LLM" (answer document with its tokens) and "Preflight" (gates, nothing sent)

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
for (const key of ['code-server', 'playwright', 'vsix', 'python', 'out']) {
  if (!args[key]) fail(`missing --${key}`);
}
const { chromium } = createRequire(import.meta.url)(args.playwright);
const STEP_TIMEOUT = Number(process.env.CTXLENS_E2E_STEP_TIMEOUT_MS ?? 90_000);

const out = resolve(args.out);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'ctxlens-e2e-'));
const ws = join(tmp, 'workspace');
const userData = join(tmp, 'user-data');
const extensions = join(tmp, 'extensions');
const xdg = join(tmp, 'xdg');
cpSync(join(here, '..', 'fixtures', 'workspace'), ws, { recursive: true });
for (const d of [userData, extensions, join(userData, 'User'), join(userData, 'Machine'), xdg]) mkdirSync(d, { recursive: true });

const env = {
  ...process.env,
  XDG_CONFIG_HOME: join(xdg, 'config'),
  XDG_DATA_HOME: join(xdg, 'data'),
  XDG_CACHE_HOME: join(xdg, 'cache'),
};

let codeServer;
let llm;
let browser;
let page;
let failed = false;
const started = Date.now();

try {
  log(`installing ${args.vsix}`);
  const install = spawnSync(args['code-server'], ['--extensions-dir', extensions, '--user-data-dir', userData,
    '--install-extension', resolve(args.vsix)], { env, encoding: 'utf8' });
  if (install.status !== 0) fail(`installing the .vsix failed:\n${install.stdout}\n${install.stderr}`);

  // A real OpenAI-compatible server on 127.0.0.1 (the project's own, answering from the
  // request: a diagram request gets a Mermaid flowchart of the files it was sent).
  const llmPort = await freePort();
  llm = spawn(resolve(args.python), ['-m', 'ctxlens.llm.local_server', '--port', String(llmPort), '--quiet'],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const llmUrl = await new Promise((res, rej) => {
    let text = '';
    llm.stdout.on('data', (d) => {
      text += String(d);
      const m = /on (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(text);
      if (m) res(m[1].replace(/\/$/, ''));
    });
    llm.stderr.on('data', (d) => { text += String(d); });
    llm.on('exit', (code) => rej(new Error(`the local LLM server exited (${code}): ${text}`)));
  });
  log(`local OpenAI-compatible server at ${llmUrl}`);

  const settings = JSON.stringify({
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'git.enabled': false,
    'workbench.tips.enabled': false,
    'editor.hover.delay': 300,
    'editor.minimap.enabled': false,
    'files.autoSave': 'off',
    'ctxlens.interpreter': resolve(args.python),
    'ctxlens.llm.baseUrl': llmUrl.endsWith('/v1') ? llmUrl : `${llmUrl}/v1`,
  }, null, 2);
  writeFileSync(join(userData, 'User', 'settings.json'), settings);
  // code-server is VS Code's remote setup: machine-scoped settings such as ctxlens.interpreter
  // are read from the Machine settings, not the user's.
  writeFileSync(join(userData, 'Machine', 'settings.json'), settings);

  const port = await freePort();
  log(`starting code-server on 127.0.0.1:${port}`);
  codeServer = spawn(args['code-server'], [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--reconnection-grace-time', '5',
    '--user-data-dir', userData, '--extensions-dir', extensions, ws,
  ], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLog = [];
  codeServer.stdout.on('data', (d) => serverLog.push(String(d)));
  codeServer.stderr.on('data', (d) => serverLog.push(String(d)));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 'code-server /healthz', 60_000);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(STEP_TIMEOUT);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor();
  log('workbench loaded');

  // --- open billing.py ------------------------------------------------------------------
  await openFile('billing.py');

  // --- 01 Problems panel ----------------------------------------------------------------
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel');
  await problems.waitFor();
  const problemRow = problems.locator('.monaco-list-row', { hasText: /order_total|invoice_total/ }).first();
  await problemRow.waitFor();
  const problemText = await problems.innerText();
  expect(/ctxlens/.test(problemText), `Problems panel names the source ctxlens:\n${problemText}`);
  expect(/tokens/.test(problemText), `the duplicate diagnostic says the tokens it saves:\n${problemText}`);
  await shot('01-problems');
  log(`Problems: ${oneLine(await problemRow.innerText())}`);

  // --- 02 hover -------------------------------------------------------------------------
  await page.keyboard.press('Control+Shift+M'); // close the panel again, leaves the editor in view
  const editor = page.locator('.editor-instance .monaco-editor').first();
  const name = editor.locator('.view-line span', { hasText: /^invoice_total$/ }).first();
  await name.waitFor();
  const hoverWidget = page.locator('.monaco-hover:not(.hidden)', { hasText: /tokens/ }).first();
  await retry(async () => {
    await page.mouse.move(0, 0);
    await name.hover();
    await hoverWidget.waitFor({ timeout: 5000 });
  }, 'a hover with tokens over invoice_total');
  const hoverText = await hoverWidget.innerText();
  expect(/invoice_total/.test(hoverText) && /[\d,]+ tokens/.test(hoverText), `hover shows the unit's tokens:\n${hoverText}`);
  expect(/o200k_base/.test(hoverText), `hover names the encoding:\n${hoverText}`);
  expect(/duplicate/i.test(hoverText), `hover lists the duplicate:\n${hoverText}`);
  await shot('02-hover');
  log(`Hover: ${oneLine(hoverText).slice(0, 160)}`);
  await page.keyboard.press('Escape');
  await page.mouse.move(0, 0);

  // --- 03 Duplicates tree ---------------------------------------------------------------
  await openCtxlensSidebar();
  const dupPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Duplicates' }) });
  const classRow = dupPane.locator('.monaco-list-row', { hasText: /order_total ×2|invoice_total ×2/ }).first();
  await classRow.waitFor();
  const classText = await classRow.innerText();
  expect(/renamed copy/.test(classText) && /tokens saved/.test(classText), `class row names kind and savings: ${classText}`);
  await classRow.click();
  await dupPane.locator('.monaco-list-row', { hasText: 'billing.py' }).first().waitFor();
  await dupPane.locator('.monaco-list-row', { hasText: 'orders.py' }).first().waitFor();
  await shot('03-duplicates');
  log(`Duplicates: ${oneLine(classText)}`);

  // --- 04 status bar tokens change after typing -----------------------------------------
  const tokenItem = page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: /^\s*[\d,]+ tokens\s*$/ }).first();
  await editor.click();
  await page.keyboard.press('Control+End');
  await tokenItem.waitFor();
  const before = tokensOf(await tokenItem.innerText());
  await page.keyboard.type('\nRETRIES = ["first", "second", "third", "fourth"]\n', { delay: 15 });
  const after = await waitFor(async () => {
    const n = tokensOf(await tokenItem.innerText());
    return n !== before ? n : undefined;
  }, 'the status bar token count to change after typing', STEP_TIMEOUT);
  expect(after > before, `more text, more tokens: ${before} → ${after}`);
  const tooltip = await tokenItem.getAttribute('aria-label');
  await shot('04-status-tokens');
  log(`Status bar: ${before} → ${after} tokens (${tooltip ?? ''})`);

  // --- 05/06 code actions change the Context totals -------------------------------------
  const ctxPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Context' }) });
  const dedupRow = ctxPane.locator('.monaco-list-row', { hasText: 'Deduplicated' }).first();
  await dedupRow.waitFor();
  const d0 = tokensOf(await dedupRow.innerText());
  const rawRow = ctxPane.locator('.monaco-list-row', { hasText: /^\s*Raw/ }).first();
  const raw0 = tokensOf(await rawRow.innerText());
  log(`Context: raw ${raw0}, deduplicated ${d0}`);

  await runCodeAction('invoice_total', /Expand duplicates/);
  const d1 = await waitFor(async () => {
    const n = tokensOf(await dedupRow.innerText());
    return n > d0 ? n : undefined;
  }, 'Deduplicated to grow after "Expand duplicates"', STEP_TIMEOUT);
  await shot('05-expanded');
  log(`Expand duplicates: deduplicated ${d0} → ${d1}`);

  await runCodeAction('invoice_total', /Collapse duplicates/);
  const d2 = await waitFor(async () => {
    const n = tokensOf(await dedupRow.innerText());
    return n < d1 ? n : undefined;
  }, 'Deduplicated to shrink after "Collapse duplicates"', STEP_TIMEOUT);
  expect(d2 === d0, `collapsing again gives the first total back: ${d2} vs ${d0}`);
  await shot('06-collapsed');
  log(`Collapse duplicates: deduplicated ${d1} → ${d2}`);

  // --- 07 the chart draws the same totals ----------------------------------------------
  const chartHeader = page.locator('.pane-header', { hasText: 'Budget chart' }).first();
  if ((await chartHeader.getAttribute('aria-expanded')) !== 'true') await chartHeader.click();
  const bar = await waitFor(async () => {
    for (const frame of page.frames()) {
      const row = frame.locator('svg.budget-chart g.row-deduplicated');
      if (await row.count().catch(() => 0)) return row;
    }
    return undefined;
  }, 'the Budget chart webview', STEP_TIMEOUT);
  const drawn = await waitFor(async () => {
    const v = Number(await bar.getAttribute('data-value'));
    return v === d2 ? v : undefined;
  }, `the chart's deduplicated bar to read ${d2}`, STEP_TIMEOUT);
  await shot('07-chart');
  log(`Budget chart: deduplicated bar ${drawn}`);

  // --- 08 "Add to LLM context" from the Explorer's context menu --------------------------
  await page.keyboard.press('Control+Shift+E');
  const explorerRow = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'report.py' }).first();
  await explorerRow.click({ button: 'right' });
  const menuItem = page.locator('.monaco-menu .action-item', { hasText: 'Add to LLM context' }).first();
  await menuItem.waitFor();
  expect(await page.locator('.monaco-menu .action-item', { hasText: 'Remove from context' }).count() > 0,
    'the Explorer menu also offers "Remove from context"');
  await shot('08-explorer-menu');
  await menuItem.click();
  // The status bar's context item opens the Context view.
  const contextItem = page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: /ctx [\d.,]+k? / }).first();
  await retry(async () => {
    await contextItem.click();
    await page.locator('.pane-header', { hasText: 'Context' }).first().waitFor({ timeout: 5000 });
  }, 'opening the Context view from the status bar');
  const selectionRow = ctxPane.locator('.monaco-list-row', { hasText: /^\s*Selection/ }).first();
  const selection = await waitFor(async () => {
    const t = oneLine(await selectionRow.innerText());
    return /report\.py \(1 file\)/.test(t) ? t : undefined;
  }, 'the Context selection to be report.py', STEP_TIMEOUT);
  const raw1 = await waitFor(async () => {
    const n = tokensOf(await rawRow.innerText());
    return n < raw0 ? n : undefined;
  }, 'Raw to shrink to report.py alone', STEP_TIMEOUT);
  await shot('09-context-selection');
  log(`Add to LLM context: ${selection}; raw ${raw0} → ${raw1}`);

  // --- 10 API key in secret storage, then the architecture diagram drawn by Mermaid ------
  await runCommand('ctxlens: Set API key');
  const keyInput = page.locator('.quick-input-widget input[type="password"]');
  await keyInput.waitFor();
  await keyInput.fill('sk-e2e-not-a-real-key');
  await page.keyboard.press('Enter');
  await page.locator('.notifications-toasts', { hasText: 'API key saved' }).first().waitFor();
  // The key changes the server's environment, so the server restarts; commands wait for it.
  const settingsText = readFileSync(join(userData, 'User', 'settings.json'), 'utf8');
  expect(!settingsText.includes('sk-e2e-not-a-real-key'), 'the API key stays out of settings.json');

  await runCommand('ctxlens: Architecture diagram');
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'send the context pack' });
  await dialog.waitFor();
  const dialogText = oneLine(await dialog.innerText());
  expect(/Verdict: (ok|warn)\./.test(dialogText) && /tokens to gpt-4\.1/.test(dialogText), `the send dialog sums up the preflight: ${dialogText}`);
  await shot('10-send-dialog');
  await dialog.locator('.monaco-button', { hasText: /^Send$/ }).click();
  const svgText = await waitFor(async () => {
    for (const frame of page.frames()) {
      const done = frame.locator('#diagram[data-rendered="true"] svg');
      if (await done.count().catch(() => 0)) {
        // The node labels Mermaid drew (its SVG also carries a <style> block).
        const labels = await frame.locator('#diagram svg .nodeLabel').allTextContents();
        return labels.join(', ') || (await done.first().textContent());
      }
      const error = frame.locator('#error');
      const message = await error.count().catch(() => 0) ? await error.first().textContent() : '';
      if (message) throw new Error(message);
    }
    return undefined;
  }, 'the Mermaid diagram to render in its webview', STEP_TIMEOUT);
  expect(/report\.py/.test(svgText ?? ''), `the diagram shows the file in the context: ${svgText}`);
  await shot('11-diagram');
  log(`Architecture diagram: Mermaid drew ${oneLine(svgText ?? '').slice(0, 120)}`);

  // --- 12 Ask: the question, the send dialog, the answer with its tokens and cost ----------
  await runCommand('ctxlens: Ask the LLM about the context');
  // The palette's input is reused by the question box: wait for the box's own title.
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'ask the LLM about the context' }).waitFor();
  const question = page.locator('.quick-input-widget input');
  await retry(async () => {
    await question.fill('What does report.py compute?');
    if ((await question.inputValue()) !== 'What does report.py compute?') throw new Error('question not typed');
  }, 'typing the question');
  await page.keyboard.press('Enter');
  const askDialog = page.locator('.monaco-dialog-box', { hasText: 'send the context pack' });
  await askDialog.waitFor();
  await askDialog.locator('.monaco-button', { hasText: /^Send$/ }).click();
  const answerEditor = page.locator('.editor-instance .monaco-editor', { hasText: 'What does report.py compute?' }).last();
  await answerEditor.waitFor();
  const answerText = await waitFor(async () => {
    // Markdown wraps in a narrow editor: compare the text as one line.
    const t = oneLine(await answerEditor.locator('.view-lines').innerText());
    return /tokens sent and received/.test(t) ? t : undefined;
  }, 'the answer document', STEP_TIMEOUT);
  expect(/ctxlens: [\d,]+ tokens sent and received/.test(answerText), `the answer names its tokens: ${answerText}`);
  await shot('12-ask');
  log(`Ask: ${oneLine(answerText).slice(0, 120)}`);

  // --- 13 Preflight: sends nothing, shows the gates ------------------------------------------
  await runCommand('ctxlens: Preflight the context');
  const preflightEditor = page.locator('.editor-instance .monaco-editor', { hasText: 'ctxlens preflight' }).last();
  await preflightEditor.waitFor();
  const preflightText = await waitFor(async () => {
    const t = oneLine(await preflightEditor.locator('.view-lines').innerText());
    return /\| window \|/.test(t) ? t : undefined;
  }, 'the preflight document', STEP_TIMEOUT);
  expect(/Verdict: (ok|warn)/.test(preflightText) && /nothing has been sent/.test(preflightText), `the preflight document: ${preflightText}`);
  expect(/\| window \|/.test(preflightText), `the preflight lists its gates: ${preflightText}`);
  await shot('13-preflight');
  log(`Preflight: ${oneLine(preflightText).slice(0, 120)}`);

  log(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${out}`);
} catch (e) {
  failed = true;
  console.error(`[e2e] FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  if (page) await shot('failure').catch(() => undefined);
  saveLogs();
} finally {
  await browser?.close().catch(() => undefined);
  // code-server, its extension hosts and the language server share one process group.
  for (const child of [codeServer, llm]) {
    if (child?.pid) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
  }
  if (!failed) rmSync(tmp, { recursive: true, force: true });
  else console.error(`[e2e] kept ${tmp} for inspection`);
}
process.exit(failed ? 1 : 0);

// --- helpers ------------------------------------------------------------------------------

async function openFile(file) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(file);
  // Quick Open lists recent files first: wait for the filtered row before Enter.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: file }).first().waitFor();
}

async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function openCtxlensSidebar() {
  // force: the view's badge (the number of clone classes) sits over the icon and takes the
  // click; a click while a menu is still closing can be lost, hence the retry.
  await retry(async () => {
    await page.locator('.activitybar .action-item a[aria-label^="ctxlens"]').first().click({ force: true });
    await page.locator('.pane-header', { hasText: 'Duplicates' }).first().waitFor({ timeout: 5000 });
  }, 'opening the ctxlens sidebar');
}

async function runCodeAction(word, title) {
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-line span', { hasText: new RegExp(`^${word}$`) }).first().click();
  const item = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
  await retry(async () => {
    await page.keyboard.press('Control+.');
    await item.waitFor({ timeout: 5000 });
  }, `the code action ${title}`);
  await item.click();
}

function tokensOf(text) {
  const m = /([\d,]+)\s*tokens/.exec(text);
  if (!m) throw new Error(`no token count in "${text}"`);
  return Number(m[1].replace(/,/g, ''));
}

function expect(ok, message) {
  if (!ok) throw new Error(`expected ${message}`);
}

async function shot(name) {
  await page.screenshot({ path: join(out, `${name}.png`) });
}

async function waitFor(fn, what, timeout = STEP_TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

async function retry(fn, what, attempts = 6) {
  let last;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`gave up on ${what}: ${last?.message ?? ''}`);
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/** The extension's output channel and the extension host log, next to the screenshots. */
function saveLogs() {
  const logs = join(userData, 'logs');
  if (!existsSync(logs)) return;
  for (const file of walk(logs)) {
    const rel = file.slice(logs.length + 1);
    if (/ctxlens|exthost\.log$/.test(rel)) {
      const target = join(out, 'logs', rel.replace(/[\\/]/g, '__'));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
      if (/ctxlens/.test(rel)) console.error(`[e2e] --- ${file} (tail) ---\n${readFileSync(file, 'utf8').split('\n').slice(-40).join('\n')}`);
    }
  }
}

function walk(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...walk(p));
    else files.push(p);
  }
  return files;
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) o[argv[i].replace(/^--/, '')] = argv[i + 1];
  return o;
}

function log(message) {
  console.log(`[e2e] ${message}`);
}

function oneLine(s) {
  return s.replace(/\s+/g, ' ').trim();
}

function fail(message) {
  console.error(`[e2e] ${message}`);
  process.exit(2);
}
