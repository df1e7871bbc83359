/** "Edit emulated value…": the server command sent back with the value typed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EDIT_VALUE_COMMAND, editParams } from '../src/serverCommands';

test('the edit goes back to the server with the site, the value and the run', () => {
  assert.deepEqual(editParams(['file:///p.coc.py', 1, 10, 'True', 2], 'False'), {
    command: EDIT_VALUE_COMMAND,
    arguments: ['file:///p.coc.py', 1, 10, 'False', 2],
  });
  assert.deepEqual(editParams(['file:///p.coc.py', 1, 10], '3')?.arguments, ['file:///p.coc.py', 1, 10, '3', 0]);
  assert.equal(editParams(['file:///p.coc.py', 'one'], '3'), undefined);
});
