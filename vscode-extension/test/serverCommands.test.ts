/** The arguments of the workspace/executeCommand requests the editor commands send. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { buildExecuteParams, commandTarget, isCocDocument, SERVER_COMMANDS } from '../src/serverCommands';
import { Uri } from './vscode-mock';

const byServerName = (name: string) => {
  const command = SERVER_COMMANDS.find((c) => c.serverCommand === name);
  assert.ok(command, name);
  return command;
};

function editor(path: string, line: number): Pick<vscode.TextEditor, 'document' | 'selection'> {
  return {
    document: { uri: Uri.file(path) },
    selection: { active: { line, character: 0 } },
  } as unknown as Pick<vscode.TextEditor, 'document' | 'selection'>;
}

test('editor command ids differ from the server command names', () => {
  for (const command of SERVER_COMMANDS) {
    assert.notEqual(command.editorCommand, command.serverCommand);
  }
  assert.deepEqual(
    SERVER_COMMANDS.map((c) => c.serverCommand),
    ['coc.run', 'coc.runToLine', 'coc.reemulateLine', 'coc.clearResults'],
  );
});

test('run and clear send the uri; runToLine and reemulateLine add the 0-based line', () => {
  const uri = 'file:///ws/a.coc.py';
  assert.deepEqual(buildExecuteParams(byServerName('coc.run'), uri, 7), { command: 'coc.run', arguments: [uri] });
  assert.deepEqual(buildExecuteParams(byServerName('coc.clearResults'), uri, 7), {
    command: 'coc.clearResults',
    arguments: [uri],
  });
  assert.deepEqual(buildExecuteParams(byServerName('coc.runToLine'), uri, 7), {
    command: 'coc.runToLine',
    arguments: [uri, 7],
  });
  assert.deepEqual(buildExecuteParams(byServerName('coc.reemulateLine'), uri, 0), {
    command: 'coc.reemulateLine',
    arguments: [uri, 0],
  });
});

test('the target is the active .coc.py editor and its cursor line', () => {
  const target = commandTarget(undefined, editor('/ws/a.coc.py', 4));
  assert.equal(target?.uri.toString(), 'file:///ws/a.coc.py');
  assert.equal(target?.line, 4);
});

test('a plain .py editor is no target', () => {
  assert.equal(commandTarget(undefined, editor('/ws/a.py', 4)), undefined);
  assert.equal(commandTarget(undefined, undefined), undefined);
});

test('a uri argument (editor title menu) wins over the active editor', () => {
  const target = commandTarget(Uri.file('/ws/b.coc.py'), editor('/ws/a.coc.py', 4));
  assert.equal(target?.uri.toString(), 'file:///ws/b.coc.py');
  assert.equal(target?.line, 0);
  const same = commandTarget(Uri.file('/ws/a.coc.py'), editor('/ws/a.coc.py', 9));
  assert.equal(same?.line, 9);
});

test('isCocDocument wants a file ending in .coc.py', () => {
  assert.ok(isCocDocument({ uri: Uri.file('/ws/x.coc.py') } as unknown as vscode.TextDocument));
  assert.ok(!isCocDocument({ uri: Uri.file('/ws/x.py') } as unknown as vscode.TextDocument));
  assert.ok(!isCocDocument({ uri: Uri.parse('untitled:x.coc.py') } as unknown as vscode.TextDocument));
});
