// End-to-end test of the Chain of Code extension in a real VS Code: code-server (Node 24) serving
// the workbench on 127.0.0.1, Debian's Chromium driven headless by playwright-core.
//
// Steps: install the .vsix into a fresh extensions dir, open a folder holding a copy of
// e2e/fixture/sarcasm.coc.py, open the file, check that the extension's commands are in the
// palette and that it started (its output channel), check the language server's "will emulate"
// diagnostics (Information), run "Run as Chain of Code", check the inlay hints of the run; debug;
// "Solve a Question…" on a file that holds only a question (the fake backend writes the program),
// run the inserted program from the notification and see its answer.
// Screenshots and logs go to $COC_E2E_ARTIFACTS. Exits non-zero on any failure or at the deadline,
// and always stops code-server (its whole process group) and the browser.
//
// Environment (set by e2e/run.sh): COC_E2E_NODE24_BIN, COC_E2E_CODE_SERVER, COC_E2E_CHROMIUM,
// COC_E2E_VSIX, COC_PYTHON, COC_E2E_ARTIFACTS; COC_E2E_CHECKS=smoke stops after the palette and
// activation checks (for when the language server is not there yet).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    throw new Error(`e2e: environment variable ${name} is not set (run e2e/run.sh).`);
  }
  return value;
};

const timeLimitArg = process.argv.indexOf('--time-limit');
const TIME_LIMIT_S = timeLimitArg > 0 ? Number(process.argv[timeLimitArg + 1]) : 300;
const NODE24_BIN = env('COC_E2E_NODE24_BIN');
const CODE_SERVER = env('COC_E2E_CODE_SERVER');
const CHROMIUM = env('COC_E2E_CHROMIUM', '/usr/bin/chromium');
const VSIX = resolve(env('COC_E2E_VSIX'));
const PYTHON = env('COC_PYTHON');
const ARTIFACTS = resolve(env('COC_E2E_ARTIFACTS'));
// Stages: palette (commands listed, extension active), lsp (diagnostics, run, inlay hints, status
// bar), debug (F5 without launch.json, a breakpoint, continue to the end), live (type a pseudo-code
// line: its hint appears without any command, coc.liveRun "onType"), solve (Solve a Question…, the
// program inserted below the docstring, run, its answer). Comma-separated.
const STAGES = new Set((process.env.COC_E2E_CHECKS ?? 'palette,lsp,debug,live,solve').split(',').map((s) => s.trim()));
const CHECKS = [...STAGES].join(',');
const FIXTURE = join(HERE, 'fixture', 'sarcasm.coc.py');
const FILE_NAME = 'sarcasm.coc.py';
const QUESTION_FILE = 'question.coc.py';
const QUESTION = 'How many of these are fruits: apple, violin, banana?';
const EXTENSION_ID = 'coc-lsp.coc-lsp';

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const log = (message) => console.log(`[e2e ${elapsed()}] ${message}`);

/** Everything to stop at the end, newest first. */
const cleanups = [];
let finished = false;
/** The workbench page, for a last screenshot when something fails. */
let currentPage;

async function cleanup() {
  while (cleanups.length > 0) {
    const step = cleanups.pop();
    try {
      await step();
    } catch (error) {
      console.error(`e2e: cleanup step failed: ${error}`);
    }
  }
}

async function fail(message) {
  if (finished) {
    return;
  }
  finished = true;
  console.error(`e2e: FAILED after ${elapsed()}: ${message}`);
  if (currentPage) {
    await screenshot(currentPage, 'failure');
  }
  await cleanup();
  process.exit(1);
}

const deadline = setTimeout(
  () => void fail(`the test did not finish within its ${TIME_LIMIT_S}s limit`),
  TIME_LIMIT_S * 1000,
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void fail(`stopped by ${signal}`));
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Environment of code-server and everything it starts (extension host, language server). */
function codeServerEnv(home) {
  const childEnv = { ...process.env };
  childEnv.PATH = `${NODE24_BIN}:${process.env.PATH}`;
  // The scripted LM backend (`coc.backend` = fake_backend:make) is imported from here.
  childEnv.PYTHONPATH = [HERE, process.env.PYTHONPATH].filter(Boolean).join(':');
  // Keep code-server's own config and state out of the real home directory.
  childEnv.XDG_CONFIG_HOME = join(home, 'config');
  childEnv.XDG_DATA_HOME = join(home, 'data');
  delete childEnv.VSCODE_IPC_HOOK_CLI;
  return childEnv;
}

function codeServerArgs(dirs) {
  return [
    CODE_SERVER,
    '--config',
    dirs.config,
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
}

function writeSettings(dirs) {
  const settings = {
    'security.workspace.trust.enabled': false,
    'coc.pythonPath': PYTHON,
    'coc.backend': 'fake_backend:make',
    'coc.noCache': true,
    'coc.liveRun': 'onType',
    'coc.liveRunDelayMs': 200,
    'editor.inlayHints.enabled': 'on',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    'editor.minimap.enabled': false,
  };
  // User settings (the browser side) and Machine settings (the server side): in code-server a
  // machine-scoped setting such as coc.pythonPath is only taken from the Machine settings.
  for (const scope of ['User', 'Machine']) {
    mkdirSync(join(dirs.userData, scope), { recursive: true });
    writeFileSync(join(dirs.userData, scope, 'settings.json'), JSON.stringify(settings, null, 2));
  }
  writeFileSync(dirs.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
}

function installExtension(dirs, childEnv) {
  log(`installing ${VSIX}`);
  const install = spawnSync(
    join(NODE24_BIN, 'node'),
    [...codeServerArgs(dirs), '--install-extension', VSIX, '--force'],
    { env: childEnv, encoding: 'utf8', timeout: 90_000 },
  );
  if (install.status !== 0) {
    throw new Error(`code-server --install-extension failed (${install.status ?? install.signal}):\n${install.stdout}\n${install.stderr}`);
  }
  const list = spawnSync(join(NODE24_BIN, 'node'), [...codeServerArgs(dirs), '--list-extensions'], {
    env: childEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (!list.stdout.toLowerCase().includes(EXTENSION_ID)) {
    throw new Error(`${EXTENSION_ID} is not in code-server --list-extensions:\n${list.stdout}\n${list.stderr}`);
  }
  log(`installed: ${list.stdout.trim().split('\n').join(', ')}`);
}

async function startCodeServer(dirs, childEnv, workspace) {
  const port = await freePort();
  const logPath = join(ARTIFACTS, 'code-server.log');
  const out = openSync(logPath, 'w');
  const child = spawn(
    join(NODE24_BIN, 'node'),
    [...codeServerArgs(dirs), '--bind-addr', `127.0.0.1:${port}`, workspace],
    { env: childEnv, stdio: ['ignore', out, out], detached: true },
  );
  cleanups.push(async () => stopProcessGroup(child));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with ${child.exitCode}; see ${logPath}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) {
        log(`code-server is up at ${url}`);
        return url;
      }
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`code-server did not answer on ${url} within 60s; see ${logPath}`);
}

async function stopProcessGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timer = sleep(5000).then(() => 'timeout');
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

let shot = 0;
async function screenshot(page, name) {
  shot += 1;
  const path = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  try {
    await page.screenshot({ path, timeout: 10_000 });
    log(`screenshot ${path}`);
  } catch (error) {
    log(`screenshot ${name} failed: ${error}`);
  }
}

/** Opens the command palette, types `text`, waits for a row matching `rowText`; Enter runs it. */
async function paletteRow(page, text, rowText) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${text}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: rowText }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  return row;
}

async function runPaletteCommand(page, text, rowText = text) {
  const row = await paletteRow(page, text, rowText);
  // Click the row that matched, not whatever the palette ranked first.
  await row.click();
}

async function openFile(page, fileName) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(fileName);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab[aria-label*="${fileName}"]`).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Contents of the "Chain of Code" output channel, from the log file VS Code keeps of it. */
function outputChannelLog(userData) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith('Chain of Code.log')) {
        found.push(readFileSync(path, 'utf8'));
      }
    }
  };
  const logs = join(userData, 'logs');
  if (existsSync(logs)) {
    walk(logs);
  }
  return found.join('\n');
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
async function waitFor(description, probe, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    last = await probe();
    if (last) {
      return last;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${description}`);
}

/** Problems panel rows as {label, text}. */
async function problems(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.markers-panel .monaco-list-row')].map((row) => ({
      label: row.getAttribute('aria-label') ?? '',
      text: row.textContent ?? '',
      info: row.querySelector('.codicon-info, .codicon-warning, .codicon-error')?.className ?? '',
    })),
  );
}

/** Inline (injected) text in the editor: inlay hints render as spans with dynamic class names. */
async function inlayHints(page) {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor .view-lines');
    if (!editor) {
      return [];
    }
    return [...editor.querySelectorAll('span[class*="dyn-rule"], span[class*="inlay"]')]
      .map((span) => (span.textContent ?? '').trim())
      .filter((text) => text.length > 0);
  });
}

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const name of readdirSync(ARTIFACTS)) {
    rmSync(join(ARTIFACTS, name), { recursive: true, force: true });
  }
  const home = mkdtempSync(join(tmpdir(), 'coc-vscode-e2e-'));
  const dirs = {
    config: join(home, 'code-server.yaml'),
    userData: join(home, 'user-data'),
    extensions: join(home, 'extensions'),
  };
  const workspace = join(home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  cpSync(FIXTURE, join(workspace, FILE_NAME));
  writeFileSync(join(workspace, QUESTION_FILE), `"""${QUESTION}"""\n`);
  cleanups.push(async () => {
    const logs = join(dirs.userData, 'logs');
    if (existsSync(logs)) {
      cpSync(logs, join(ARTIFACTS, 'logs'), { recursive: true });
    }
    if (process.env.COC_E2E_KEEP !== '1') {
      rmSync(home, { recursive: true, force: true });
    }
  });
  writeSettings(dirs);
  const childEnv = codeServerEnv(home);
  installExtension(dirs, childEnv);
  const url = await startCodeServer(dirs, childEnv, workspace);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  cleanups.push(async () => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  currentPage = page;
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  page.setDefaultTimeout(30_000);

  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.explorer-folders-view, .part.sidebar').first().waitFor({ state: 'visible', timeout: 60_000 });
  log('workbench loaded');
  await sleep(2000); // let the workbench settle (restored views, notifications)
  await screenshot(page, 'workbench');

  await openFile(page, FILE_NAME);
  log(`opened ${FILE_NAME}`);
  await screenshot(page, 'file-open');

  // The extension's commands are in the palette for a .coc.py editor.
  for (const title of ['Run as Chain of Code', 'Run to Line', 'Re-emulate Line', 'Clear Results', 'Solve a Question…', 'Show Output', 'Restart Server']) {
    await paletteRow(page, `Chain of Code: ${title}`, `Chain of Code: ${title}`);
  }
  log('all Chain of Code commands are in the palette');
  await screenshot(page, 'palette');
  await page.keyboard.press('Escape');

  // The extension activated and started (or tried to start) the server with the configured Python.
  await runPaletteCommand(page, 'Chain of Code: Show Output');
  const expected = `Using Python interpreter '${PYTHON}'`;
  await waitFor(`"${expected}" in the Chain of Code output channel`, async () => outputChannelLog(dirs.userData).includes(expected), 60_000);
  log('the extension is active and chose the configured interpreter');
  await screenshot(page, 'output-channel');

  if (STAGES.has('lsp')) {
    await checkLanguageServer(page, dirs);
  }
  if (STAGES.has('debug')) {
    await checkDebugger(page);
  }
  if (STAGES.has('live')) {
    await checkLiveRun(page);
  }
  if (STAGES.has('solve')) {
    await checkSolve(page, workspace);
  }
}

/** Text of the active editor's visible lines (spaces as the editor renders them, normalised). */
async function editorText(page) {
  return page.evaluate(() => {
    const lines = document.querySelector('.editor-instance .monaco-editor .view-lines');
    return (lines?.textContent ?? '').replace(/\u00a0/g, ' ');
  });
}

/** The visible notification toast holding `text`. */
function toast(page, text) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

async function checkSolve(page, workspace) {
  // A file holding only a question: "Solve a Question…" has the LM (the fake backend's generate())
  // write the program, which the server inserts below the docstring as a workspace edit.
  await openFile(page, QUESTION_FILE);
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await runPaletteCommand(page, 'Chain of Code: Solve a Question', 'Chain of Code: Solve a Question…');
  log('ran "Solve a Question…"');
  await waitFor('the written program below the question in the editor', async () => (await editorText(page)).includes('answer = len(fruits)'), 90_000);
  const text = await editorText(page);
  if (text.indexOf(QUESTION) < 0 || text.indexOf(QUESTION) > text.indexOf('items = [')) {
    throw new Error(`the program is not below the question: ${JSON.stringify(text)}`);
  }
  log('the program is in the editor, below the question');
  await screenshot(page, 'solve-inserted');
  // The extension offers to run it; the run's answer is shown.
  const written = toast(page, 'wrote a program for the question');
  await written.waitFor({ state: 'visible', timeout: 30_000 });
  await written.locator('.monaco-button', { hasText: 'Run as Chain of Code' }).first().click();
  log('clicked "Run as Chain of Code" in the notification');
  const answer = toast(page, 'answer = 3');
  await answer.waitFor({ state: 'visible', timeout: 120_000 });
  log(`the answer is shown: ${(await answer.locator('.notification-list-item-message').first().textContent())?.trim()}`);
  await screenshot(page, 'solve-answer');
  const saved = readFileSync(join(workspace, QUESTION_FILE), 'utf8');
  if (!saved.startsWith(`"""${QUESTION}"""`) || !saved.includes('answer = len(fruits)')) {
    throw new Error(`${QUESTION_FILE} on disk is not the question with the program below it:\n${saved}`);
  }
}

async function checkLanguageServer(page, dirs) {
  // Before any run: the server marks the lines the LM will emulate (Information diagnostics).
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home'); // a click past the end can scroll the squiggles away
  await waitFor(
    'an Information squiggle in the editor',
    () => page.evaluate(() => document.querySelectorAll('.editor-instance .squiggly-info').length > 0),
    90_000,
  );
  await runPaletteCommand(page, 'Focus on Problems View');
  const emulationProblems = await waitFor(
    'a "will emulate" problem in the Problems panel',
    async () => {
      const rows = (await problems(page)).filter((row) => /will emulate/i.test(row.label + row.text));
      return rows.length > 0 ? rows : undefined;
    },
    30_000,
  );
  log(`diagnostics: ${emulationProblems.map((row) => row.label).join(' | ')}`);
  if (!emulationProblems.some((row) => /\binfo/i.test(row.label) || row.info.includes('codicon-info'))) {
    throw new Error(`the "will emulate" diagnostics are not Information: ${JSON.stringify(emulationProblems)}`);
  }
  await screenshot(page, 'diagnostics');

  // Run the program; the emulated values come back as inlay hints.
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home'); // a click past the end can scroll the squiggles away
  await runPaletteCommand(page, 'Chain of Code: Run as Chain of Code');
  log('ran "Run as Chain of Code"');
  const hints = await waitFor(
    'inlay hints starting with "→" or "=" in the editor',
    async () => {
      const found = (await inlayHints(page)).filter((text) => text.startsWith('→') || text.startsWith('='));
      return found.length > 0 ? found : undefined;
    },
    120_000,
  );
  log(`inlay hints: ${hints.join(' | ')}`);
  await screenshot(page, 'inlay-hints');

  // The program's output (coc/output) is in the Chain of Code channel, once.
  const channel = await waitFor(
    'the program output "sarcastic: 2" in the Chain of Code output channel',
    async () => {
      const text = outputChannelLog(dirs.userData);
      return text.includes('sarcastic: 2') ? text : undefined;
    },
    30_000,
  );
  if (channel.split('sarcastic: 2').length - 1 !== 1) {
    throw new Error(`the program output shows more than once in the Chain of Code channel:\n${channel}`);
  }
  log('the program output is in the Chain of Code output channel');

  const status = await page
    .locator('.statusbar-item', { hasText: 'CoC' })
    .first()
    .textContent({ timeout: 10_000 })
    .catch(() => '');
  log(`status bar: ${status || '(no Chain of Code item)'}`);
  if (!/emulated/.test(status ?? '')) {
    throw new Error(`the status bar shows no run summary (got ${JSON.stringify(status)})`);
  }
}

async function goToLine(page, line) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`:${line}`);
  await sleep(300);
  await page.keyboard.press('Enter');
}

async function checkDebugger(page) {
  // F5 with no launch.json on the open .coc.py: the configuration provider fills it in.
  const breakpointLine = 13;
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home'); // a click past the end can scroll the squiggles away
  await goToLine(page, breakpointLine);
  await runPaletteCommand(page, 'Debug: Toggle Breakpoint');
  await page.locator('.editor-instance .codicon-debug-breakpoint').first().waitFor({ state: 'visible', timeout: 15_000 });
  await runPaletteCommand(page, 'Debug: Start Debugging');
  log('started debugging');
  await page.locator('.debug-toolbar').first().waitFor({ state: 'visible', timeout: 60_000 });
  await waitFor(
    `the debugger paused at line ${breakpointLine}`,
    () =>
      page.evaluate(() => document.querySelectorAll('.editor-instance .debug-top-stack-frame-line').length > 0),
    90_000,
  );
  const frame = await waitFor(
    `the call stack's top frame at ${FILE_NAME}:${breakpointLine}`,
    async () => {
      const rows = await page.evaluate(() =>
        [...document.querySelectorAll('.debug-pane .monaco-list-row')].map((row) => row.textContent ?? ''),
      );
      return rows.find((text) => text.includes(FILE_NAME) && new RegExp(`${FILE_NAME}\\s*${breakpointLine}:`).test(text));
    },
    30_000,
  );
  log(`paused on the breakpoint: ${frame}`);
  await screenshot(page, 'debug-paused');
  await runPaletteCommand(page, 'Debug: Continue');
  await page.locator('.debug-toolbar').first().waitFor({ state: 'hidden', timeout: 90_000 });
  log('the debug session ended');
  await screenshot(page, 'debug-ended');
}

async function checkLiveRun(page) {
  // Type a pseudo-code line at the end; a live run (coc.liveRun "onType") shows its hint.
  await page.keyboard.press('Escape');
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('words = the number of words in the first sentence', { delay: 20 });
  await page.keyboard.press('Escape'); // close a suggestion widget, if any
  log('typed a pseudo-code line');
  const hint = await waitFor(
    'the live hint "words = 1" on the typed line',
    async () => (await inlayHints(page)).find((text) => /^words\s*=\s*1/.test(text)), // \s: Monaco renders spaces as U+00A0
    120_000,
  );
  log(`live hint: ${hint}`);
  await screenshot(page, 'live-hint');
}

main()
  .then(async () => {
    if (finished) {
      return;
    }
    finished = true;
    clearTimeout(deadline);
    log(`PASSED (${CHECKS} checks)`);
    await cleanup();
    process.exit(0);
  })
  .catch(async (error) => {
    await fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
  });
