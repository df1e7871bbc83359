/** The debug configuration provider (F5 without launch.json) and the adapter factory. */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import type * as vscode from 'vscode';
import { CocAdapterFactory, CocConfigurationProvider, fillDebugConfiguration, NOTHING_TO_DEBUG } from '../src/debug';
import { DebugAdapterExecutable, mock, Uri } from './vscode-mock';

beforeEach(() => mock.reset());

const cocFile = { languageId: 'python', fsPath: '/ws/a.coc.py' };

test('an empty configuration with a .coc.py open debugs that file', () => {
  const result = fillDebugConfiguration({} as vscode.DebugConfiguration, cocFile, {});
  assert.deepEqual(result, {
    config: { type: 'coc', request: 'launch', name: 'Chain of Code: Current File', program: '${file}' },
  });
});

test('an empty configuration with nothing to debug is refused', () => {
  assert.deepEqual(fillDebugConfiguration({} as vscode.DebugConfiguration, undefined, {}), { error: NOTHING_TO_DEBUG });
  const plain = { languageId: 'python', fsPath: '/ws/a.py' };
  assert.deepEqual(fillDebugConfiguration({} as vscode.DebugConfiguration, plain, {}), { error: NOTHING_TO_DEBUG });
});

test('a launch.json configuration without program is refused', () => {
  const config = { type: 'coc', request: 'launch', name: 'Mine' };
  const result = fillDebugConfiguration(config, cocFile, {});
  assert.ok('error' in result);
  assert.match(result.error, /"Mine" launch configuration has no "program"/);
});

test('unset attributes come from the coc.* settings; set ones are kept', () => {
  const config = { type: 'coc', request: 'launch', name: 'Mine', program: '/ws/b.coc.py', mode: 'lm' };
  const result = fillDebugConfiguration(config, undefined, {
    mode: 'interweave',
    model: 'gpt-x',
    baseUrl: '',
    noCache: false,
    backend: 'mod:make',
  });
  assert.deepEqual(result, { config: { ...config, model: 'gpt-x', backend: 'mod:make' } });
});

test('coc.prefetch off reaches the launch; on (its default) adds nothing', () => {
  const config = { type: 'coc', request: 'launch', name: 'Mine', program: '/ws/b.coc.py' };
  assert.deepEqual(fillDebugConfiguration(config, undefined, { prefetch: false }), { config: { ...config, prefetch: false } });
  assert.deepEqual(fillDebugConfiguration(config, undefined, { prefetch: true }), { config });
  const own = { ...config, prefetch: true };
  assert.deepEqual(fillDebugConfiguration(own, undefined, { prefetch: false }), { config: own });
});

test('the provider reads the active editor and shows the refusal', async () => {
  mock.settings['coc.model'] = 'm1';
  mock.activeTextEditor = { document: { languageId: 'python', uri: Uri.file('/ws/a.coc.py') } };
  const provider = new CocConfigurationProvider();
  const config = await provider.resolveDebugConfiguration(undefined, {} as vscode.DebugConfiguration);
  assert.equal(config?.program, '${file}');
  assert.equal(config?.model, 'm1');

  mock.activeTextEditor = undefined;
  assert.equal(await provider.resolveDebugConfiguration(undefined, {} as vscode.DebugConfiguration), undefined);
  assert.deepEqual(mock.errorMessages, [NOTHING_TO_DEBUG]);
});

test('the adapter is <python> -m coc_lsp dap from the configured interpreter', async () => {
  const site = mkdtempSync(join(tmpdir(), 'coc-dap-'));
  mkdirSync(join(site, 'coc_lsp'));
  writeFileSync(join(site, 'coc_lsp', '__init__.py'), '');
  const saved = process.env.PYTHONPATH;
  process.env.PYTHONPATH = site;
  try {
    mock.settings['coc.pythonPath'] = 'python3';
    const session = { configuration: { program: '/ws/a.coc.py' }, workspaceFolder: undefined };
    const descriptor = await new CocAdapterFactory().createDebugAdapterDescriptor(
      session as unknown as vscode.DebugSession,
    );
    assert.ok(descriptor instanceof DebugAdapterExecutable);
    assert.equal(descriptor.command, 'python3');
    assert.deepEqual(descriptor.args, ['-m', 'coc_lsp', 'dap']);

    mock.settings['coc.pythonPath'] = '/nonexistent/python';
    await assert.rejects(
      new CocAdapterFactory().createDebugAdapterDescriptor(session as unknown as vscode.DebugSession),
      /Python interpreter '\/nonexistent\/python' .* was not found/,
    );
  } finally {
    if (saved === undefined) {
      delete process.env.PYTHONPATH;
    } else {
      process.env.PYTHONPATH = saved;
    }
  }
});
