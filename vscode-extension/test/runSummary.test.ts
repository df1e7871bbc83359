/** The status bar text for the server's coc/runFinished notification. */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { formatRunSummary, formatSeconds, parseRunFinished, RunStatusBar } from '../src/runSummary';
import { mock } from './vscode-mock';

beforeEach(() => mock.reset());

const run = {
  uri: 'file:///ws/date%20understanding.coc.py',
  run: 1 as number | undefined,
  status: 'ok',
  emulated: 3,
  lmCalls: 2,
  cacheHits: 1,
  seconds: 1.234,
  backend: 'openai',
  answer: "'(A)'" as string | undefined,
};

test('a successful run: lines emulated, LM calls, time', () => {
  const { text, tooltip } = formatRunSummary(run);
  assert.equal(text, '$(check) CoC: 3 lines emulated · 2 LM calls · 1.23s');
  assert.match(tooltip, /last run of date understanding\.coc\.py: ok/);
  assert.match(tooltip, /2 LM calls, 1 cache hit\n/);
  assert.match(tooltip, /backend: openai/);
});

test('singulars and a failed run', () => {
  const { text } = formatRunSummary({ ...run, status: 'error', emulated: 1, lmCalls: 1, seconds: 42 });
  assert.equal(text, '$(warning) CoC error: 1 line emulated · 1 LM call · 42.0s');
});

test('seconds are formatted by size', () => {
  assert.equal(formatSeconds(0.05), '0.05s');
  assert.equal(formatSeconds(12.34), '12.3s');
  assert.equal(formatSeconds(125), '2m 5s');
  assert.equal(formatSeconds(Number.NaN), '?s');
});

test('a partial or garbled payload is read defensively', () => {
  assert.deepEqual(parseRunFinished({ uri: 'file:///a.coc.py', emulated: 'x', lmCalls: 4 }), {
    uri: 'file:///a.coc.py',
    run: undefined,
    status: 'unknown',
    emulated: 0,
    lmCalls: 4,
    cacheHits: 0,
    seconds: 0,
    backend: '',
    answer: undefined,
  });
  assert.equal(parseRunFinished(null).status, 'unknown');
  assert.equal(parseRunFinished({ run: 7, answer: '3' }).run, 7);
});

test('the status bar item: running, finished, restored when no summary came', () => {
  const bar = new RunStatusBar('coc.showOutput');
  const item = mock.statusBarItems[0];
  assert.equal(item.command, 'coc.showOutput');
  assert.equal(item.visible, false);

  bar.showRunning(run.uri);
  assert.match(item.text, /running/);
  bar.requestDone();
  assert.equal(item.visible, false, 'no run finished yet: hidden again');

  bar.showRunning(run.uri);
  bar.showFinished(run);
  bar.requestDone();
  assert.equal(item.text, '$(check) CoC: 3 lines emulated · 2 LM calls · 1.23s');
  assert.equal(item.visible, true);

  bar.showRunning(run.uri);
  bar.requestDone();
  assert.equal(item.text, '$(check) CoC: 3 lines emulated · 2 LM calls · 1.23s', 'a failed request keeps the last run');

  bar.updateVisibility(false);
  assert.equal(item.visible, false);
  bar.updateVisibility(true);
  assert.equal(item.visible, true);
  bar.dispose();
  assert.ok(item.disposed);
});

test('the spinner stays until the coc/runFinished of the run the command started', () => {
  const bar = new RunStatusBar('coc.showOutput');
  const item = mock.statusBarItems[0];
  bar.showRunning(run.uri);
  bar.requestDone({ accepted: true, uri: run.uri, run: 5 }); // the command answers at once
  assert.match(item.text, /running/, 'accepted is not finished');
  bar.showFinished({ ...run, run: 4, status: 'cancelled' }); // the run ours replaced
  assert.match(item.text, /running/, "another run's end does not stop the spinner");
  bar.showFinished({ ...run, run: 5 });
  assert.equal(item.text, '$(check) CoC: 3 lines emulated · 2 LM calls · 1.23s');

  bar.showRunning(run.uri);
  bar.showFinished({ ...run, run: 6, status: 'error' }); // the end came before the answer was read
  bar.requestDone({ accepted: true, uri: run.uri, run: 6 });
  assert.match(item.text, /CoC error/, 'the finish that came first stays');
});
