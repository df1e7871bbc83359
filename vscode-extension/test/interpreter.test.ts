/** The interpreter choice, the server/adapter command lines and the import-check messages. */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type * as vscode from 'vscode';
import {
  adapterCommandLine,
  chooseInterpreter,
  expandPath,
  explainProbe,
  installCommand,
  probeCocLsp,
  pythonExtensionInterpreter,
  resolveInterpreter,
  serverCommandLine,
} from '../src/interpreter';
import { mock, Uri } from './vscode-mock';

beforeEach(() => mock.reset());

const never = async (): Promise<string | undefined> => {
  throw new Error('the Python extension must not be asked when the setting is set');
};

test('the coc.pythonPath setting wins', async () => {
  const chosen = await chooseInterpreter('/opt/venv/bin/python', '/ws', never);
  assert.deepEqual(chosen, { path: '/opt/venv/bin/python', source: 'setting' });
});

test('the setting expands ${workspaceFolder} and ~', async () => {
  assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', '/ws', '/home/u'), '/ws/.venv/bin/python');
  assert.equal(expandPath('~/py/bin/python', undefined, '/home/u'), '/home/u/py/bin/python');
  assert.equal(expandPath('${userHome}/py', undefined, '/home/u'), '/home/u/py');
});

test('then the Python extension, then python3', async () => {
  assert.deepEqual(await chooseInterpreter('', '/ws', async () => '/usr/bin/python3.12'), {
    path: '/usr/bin/python3.12',
    source: 'python-extension',
  });
  assert.deepEqual(await chooseInterpreter('  ', undefined, async () => undefined), {
    path: 'python3',
    source: 'default',
  });
});

test('the Python extension API: environments, resolved to the executable', async () => {
  const api = {
    environments: {
      getActiveEnvironmentPath: () => ({ path: '/envs/a' }),
      resolveEnvironment: async () => ({ executable: { uri: Uri.file('/envs/a/bin/python') } }),
    },
  };
  mock.extensions['ms-python.python'] = { isActive: false, exports: undefined, activate: async () => api };
  assert.equal(await pythonExtensionInterpreter(), '/envs/a/bin/python');
});

test('the Python extension API: the older settings.getExecutionDetails', async () => {
  const api = { settings: { getExecutionDetails: () => ({ execCommand: ['/old/python', '-X'] }) } };
  mock.extensions['ms-python.python'] = { isActive: true, exports: api, activate: async () => api };
  assert.equal(await pythonExtensionInterpreter(), '/old/python');
});

test('a Python extension that fails is ignored', async () => {
  mock.extensions['ms-python.python'] = {
    isActive: false,
    exports: undefined,
    activate: async () => {
      throw new Error('boom');
    },
  };
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(await pythonExtensionInterpreter(), undefined);
  } finally {
    console.warn = warn;
  }
});

test('resolveInterpreter reads the setting of the resource', async () => {
  mock.workspaceFolders = [{ uri: Uri.file('/ws'), name: 'ws', index: 0 }];
  mock.settings['coc.pythonPath'] = '${workspaceFolder}/.venv/bin/python';
  assert.deepEqual(await resolveInterpreter(Uri.file('/ws/a.coc.py') as unknown as vscode.Uri), {
    path: '/ws/.venv/bin/python',
    source: 'setting',
  });
  mock.settings = {};
  assert.deepEqual(await resolveInterpreter(Uri.file('/ws/a.coc.py') as unknown as vscode.Uri), { path: 'python3', source: 'default' });
});

test('server and debug adapter command lines use the same interpreter', () => {
  const interpreter = { path: '/venv/bin/python', source: 'setting' as const };
  assert.deepEqual(serverCommandLine(interpreter), { command: '/venv/bin/python', args: ['-m', 'coc_lsp', 'lsp'] });
  assert.deepEqual(adapterCommandLine(interpreter), { command: '/venv/bin/python', args: ['-m', 'coc_lsp', 'dap'] });
});

test('the install command quotes paths with spaces', () => {
  assert.equal(installCommand('/venv/bin/python'), '/venv/bin/python -m pip install coc-lsp');
  assert.equal(installCommand('/my venv/python'), '"/my venv/python" -m pip install coc-lsp');
});

test('a missing coc_lsp is explained with the install command', () => {
  const error = Object.assign(new Error('Command failed'), { code: 1 });
  const result = explainProbe(
    { path: '/venv/bin/python', source: 'setting' },
    error,
    "Traceback...\nModuleNotFoundError: No module named 'coc_lsp'\n",
  );
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.match(result.message, /coc_lsp package is not installed in '\/venv\/bin\/python'/);
  assert.match(result.message, /ModuleNotFoundError: No module named 'coc_lsp'/);
  assert.match(result.message, /'\/venv\/bin\/python -m pip install coc-lsp'/);
  assert.match(result.message, /pip install -e \.\[embedded\]/);
});

test('a missing interpreter is explained', () => {
  const error = Object.assign(new Error('spawn nope ENOENT'), { code: 'ENOENT' });
  const result = explainProbe({ path: 'nope', source: 'default' }, error, '');
  assert.ok(!result.ok);
  assert.match(result.message, /Python interpreter 'nope' .* was not found/);
  assert.match(result.message, /coc\.pythonPath/);
});

test('probeCocLsp runs the real interpreter', async () => {
  const missing = await probeCocLsp({ path: '/nonexistent/python', source: 'setting' });
  assert.ok(!missing.ok);
  assert.match(missing.message, /was not found/);

  const site = mkdtempSync(join(tmpdir(), 'coc-probe-'));
  mkdirSync(join(site, 'coc_lsp'));
  writeFileSync(join(site, 'coc_lsp', '__init__.py'), '');
  const saved = process.env.PYTHONPATH;
  try {
    process.env.PYTHONPATH = site;
    assert.deepEqual(await probeCocLsp({ path: 'python3', source: 'default' }), { ok: true });
    process.env.PYTHONPATH = join(site, 'empty');
    const absent = await probeCocLsp({ path: 'python3', source: 'default' });
    assert.ok(!absent.ok);
    assert.match(absent.message, /No module named 'coc_lsp'/);
  } finally {
    if (saved === undefined) {
      delete process.env.PYTHONPATH;
    } else {
      process.env.PYTHONPATH = saved;
    }
  }
});
