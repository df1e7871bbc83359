/** Program output shows once although the server mirrors it as window/logMessage. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { ProgramOutputChannel } from '../src/outputChannel';

function recordingChannel(): { channel: vscode.OutputChannel; text: () => string } {
  let text = '';
  const channel = {
    name: 'Chain of Code',
    append: (value: string) => (text += value),
    appendLine: (value: string) => (text += `${value}\n`),
    replace: (value: string) => (text = value),
    clear: () => (text = ''),
    show: () => {},
    hide: () => {},
    dispose: () => {},
  } as unknown as vscode.OutputChannel;
  return { channel, text: () => text };
}

test('the log-message mirror of program output is skipped once', () => {
  const { channel, text } = recordingChannel();
  const output = new ProgramOutputChannel(channel);
  output.appendProgramOutput('sarcastic: 2\n');
  output.appendLine('sarcastic: 2'); // stdout mirrored as a Log message: written raw
  output.appendProgramOutput('warning: x\n');
  output.appendLine('[Info  - 10:52:53 AM] warning: x'); // stderr mirrored as an Info message
  output.appendLine('sarcastic: 2'); // a real log line that happens to match nothing pending
  assert.equal(text(), 'sarcastic: 2\nwarning: x\nsarcastic: 2\n');
});

test('other log lines pass, and interleave with pending output', () => {
  const { channel, text } = recordingChannel();
  const output = new ProgramOutputChannel(channel);
  output.appendProgramOutput('a\n');
  output.appendLine('[Error - 10:00:00 AM] Request failed.');
  output.appendLine('a');
  assert.equal(text(), 'a\n[Error - 10:00:00 AM] Request failed.\n');
  assert.equal(output.name, 'Chain of Code');
});
