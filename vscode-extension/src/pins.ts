/**
 * "Edit emulated value…": the server cannot prompt, so its code action calls this extension's
 * `coc.promptEmulatedValue` [uri, line, character, current value, run], which asks for the value
 * in an input box and sends `coc.editEmulatedValue` [uri, line, character, value, run] back. A value
 * the server refuses (not a literal, not of the site's type) is shown as an error; nothing is
 * written then. Runs in the extension host.
 */
import * as vscode from 'vscode';
import { editParams, type ExecuteCommandParams } from './serverCommands';

export const PROMPT_COMMAND = 'coc.promptEmulatedValue';

export function registerPinPrompt(execute: (params: ExecuteCommandParams) => Promise<unknown>): vscode.Disposable {
  return vscode.commands.registerCommand(PROMPT_COMMAND, async (...args: unknown[]) => {
    const current = typeof args[3] === 'string' ? args[3] : '';
    const value = await vscode.window.showInputBox({
      title: 'Chain of Code: edit the emulated value',
      prompt: 'A Python literal (True, 3, "text", [1, 2], {"n": 2}); it is pinned in the answers file beside the program.',
      value: current,
    });
    const params = value === undefined ? undefined : editParams(args, value);
    if (params === undefined) {
      return;
    }
    try {
      await execute(params);
    } catch (error) {
      void vscode.window.showErrorMessage(`Chain of Code: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
