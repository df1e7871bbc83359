/** Workspace Trust: live runs are off and run commands refused while the folder is not trusted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUN_COMMANDS, trustMiddleware, UNTRUSTED_MESSAGE, withLiveRunsOff } from '../src/trust';

test('the coc section read while untrusted has live runs off; other sections are untouched', () => {
  const items = [{ section: 'coc' }, { section: 'coc.liveRun' }, { section: 'python' }];
  const result = withLiveRunsOff(items, [{ liveRun: 'onType', backend: 'openai' }, 'onType', { liveRun: 'x' }]);
  assert.deepEqual(result, [{ liveRun: 'off', backend: 'openai' }, 'off', { liveRun: 'x' }]);
});

test('the middleware forces live runs off only while untrusted', async () => {
  let trusted = false;
  const middleware = trustMiddleware(() => trusted, () => undefined);
  const configuration = middleware.workspace?.configuration;
  assert.ok(configuration);
  const params = { items: [{ section: 'coc' }] };
  const next = async () => [{ liveRun: 'onSave' }];
  const token = {} as never;
  assert.deepEqual(await configuration(params, token, next as never), [{ liveRun: 'off' }]);
  trusted = true;
  assert.deepEqual(await configuration(params, token, next as never), [{ liveRun: 'onSave' }]);
});

test('run commands are refused while untrusted, with a message; the rest go through', async () => {
  const refused: string[] = [];
  const sent: string[] = [];
  const middleware = trustMiddleware(() => false, (message) => refused.push(message));
  const execute = middleware.executeCommand;
  assert.ok(execute);
  const next = async (command: string) => {
    sent.push(command);
    return 'done';
  };
  assert.equal(await execute('coc.run', ['file:///p.coc.py'], next), undefined);
  assert.equal(await execute('coc.clearResults', ['file:///p.coc.py'], next), 'done');
  assert.deepEqual(refused, [UNTRUSTED_MESSAGE]);
  assert.deepEqual(sent, ['coc.clearResults']);
  assert.deepEqual([...RUN_COMMANDS].sort(), ['coc.reemulateLine', 'coc.run', 'coc.runToLine', 'coc.solve']);
});
