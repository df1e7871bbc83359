/** "Solve a Question…": where the question comes from, the command's argument, waiting for the end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptedSolve,
  hasDocstring,
  parseSolveFinished,
  questionInEditor,
  typedQuestion,
  Waiters,
} from '../src/solve';
import { Uri } from './vscode-mock';

function editor(text: string, start: [number, number], end: [number, number] = start) {
  return {
    document: { uri: Uri.file('/ws/q.coc.py'), getText: () => text },
    selection: { start: { line: start[0], character: start[1] }, end: { line: end[0], character: end[1] } },
  } as unknown as Parameters<typeof questionInEditor>[0];
}

test('a docstring is a string first in the file, after comments and blank lines', () => {
  assert.ok(hasDocstring('"""How many fruits?"""\n'));
  assert.ok(hasDocstring("# a question\n\n'''\nHow many?\n'''\n"));
  assert.ok(hasDocstring('r"a raw one"\n'));
  assert.ok(!hasDocstring('x = 1\n"""not first"""\n'));
  assert.ok(!hasDocstring('""""""\n'), 'an empty docstring is no question');
  assert.ok(!hasDocstring(''));
});

test('the selection wins; then the docstring; else nothing (the input box asks)', () => {
  const text = '"""How many fruits?"""\n# notes: is a tomato a fruit?\n';
  assert.deepEqual(questionInEditor(editor(text, [1, 9], [1, 29]), true), {
    uri: 'file:///ws/q.coc.py',
    range: { start: { line: 1, character: 9 }, end: { line: 1, character: 29 } },
    target: 'below',
  });
  assert.deepEqual(questionInEditor(editor(text, [0, 3]), true), { uri: 'file:///ws/q.coc.py', target: 'below' });
  assert.equal(questionInEditor(editor('x = 1\n', [0, 0]), true), undefined);
  assert.equal(questionInEditor(editor(text, [0, 3]), false), undefined, 'not a .coc.py file');
  assert.equal(questionInEditor(undefined, true), undefined);
});

test('a typed question goes to a new file beside the active file, else in the folder', () => {
  assert.deepEqual(typedQuestion('  Why?  ', 'file:///ws/a.py', 'file:///ws'), {
    question: 'Why?',
    target: 'newFile',
    uri: 'file:///ws/a.py',
    folder: 'file:///ws',
  });
  assert.deepEqual(typedQuestion('Why?', undefined, undefined), { question: 'Why?', target: 'newFile' });
});

test('the answer and the end notification are read defensively', () => {
  assert.equal(acceptedSolve({ accepted: true, solve: 3 }), 3);
  assert.equal(acceptedSolve({ accepted: true }), undefined);
  assert.equal(acceptedSolve(null), undefined);
  const range = { start: { line: 1, character: 0 }, end: { line: 4, character: 0 } };
  assert.deepEqual(parseSolveFinished({ solve: 3, status: 'inserted', uri: 'file:///ws/q.coc.py', range }), {
    solve: 3,
    status: 'inserted',
    uri: 'file:///ws/q.coc.py',
    range,
    error: undefined,
    warning: undefined,
  });
  const garbled = parseSolveFinished({ solve: '3', range: { start: { line: 'x' } }, error: 'the LM could not be reached' });
  assert.equal(garbled.solve, undefined);
  assert.equal(garbled.status, 'unknown');
  assert.equal(garbled.range, undefined);
  assert.equal(garbled.error, 'the LM could not be reached');
});

test('a waiter gets its own number, also when the notification came first', async () => {
  const waiters = new Waiters<string>(2);
  const first = waiters.wait(1, 1000);
  waiters.deliver(2, 'two');
  waiters.deliver(1, 'one');
  assert.equal(await first, 'one');
  assert.equal(await waiters.wait(2, 1000), 'two', 'delivered before anyone waited');
  waiters.deliver(undefined, 'ignored');
  for (const n of [5, 6, 7]) {
    waiters.deliver(n, `n${n}`);
  }
  assert.equal(await waiters.wait(5, 10), undefined, 'only the last two early ones are kept; the wait times out');
  assert.equal(await waiters.wait(7, 10), 'n7');
  const pending = waiters.wait(9, 10_000);
  waiters.clear();
  assert.equal(await pending, undefined, 'clear() ends the waits');
});
