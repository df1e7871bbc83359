/**
 * The editor commands that run on the language server, and the arguments they send.
 * Runs in the extension host; pure apart from the `vscode` types.
 *
 * The server advertises `coc.run`, `coc.runToLine`, `coc.reemulateLine` and `coc.clearResults`
 * through executeCommandProvider, and vscode-languageclient registers those ids itself. The palette
 * commands therefore carry their own ids (`coc.editor.*`) and send workspace/executeCommand.
 * Lines are 0-based, as in LSP and in `vscode.Position`.
 */
import type * as vscode from 'vscode';

export interface ServerCommand {
  /** Id of the palette / menu command contributed in package.json. */
  editorCommand: string;
  /** Name of the command the server executes. */
  serverCommand: string;
  /** Whether the server wants the cursor's line after the uri. */
  takesLine: boolean;
  /** Shown in the progress notification while the server works. */
  progressTitle: string;
}

export const SERVER_COMMANDS: readonly ServerCommand[] = [
  { editorCommand: 'coc.editor.run', serverCommand: 'coc.run', takesLine: false, progressTitle: 'Running' },
  {
    editorCommand: 'coc.editor.runToLine',
    serverCommand: 'coc.runToLine',
    takesLine: true,
    progressTitle: 'Running to line',
  },
  {
    editorCommand: 'coc.editor.reemulateLine',
    serverCommand: 'coc.reemulateLine',
    takesLine: true,
    progressTitle: 'Re-emulating line',
  },
  {
    editorCommand: 'coc.editor.clearResults',
    serverCommand: 'coc.clearResults',
    takesLine: false,
    progressTitle: 'Clearing results',
  },
];

export interface ExecuteCommandParams {
  command: string;
  arguments: unknown[];
}

/** The workspace/executeCommand params for `command` on `uri`, with the 0-based `line` when needed. */
export function buildExecuteParams(command: ServerCommand, uri: string, line: number): ExecuteCommandParams {
  return { command: command.serverCommand, arguments: command.takesLine ? [uri, line] : [uri] };
}

export function isCocDocument(document: Pick<vscode.TextDocument, 'uri'> | undefined): boolean {
  return document !== undefined && document.uri.scheme === 'file' && document.uri.path.endsWith('.coc.py');
}

/** Which document and line a command applies to: an explorer/title uri argument, else the active editor. */
export function commandTarget(
  argument: unknown,
  activeEditor: Pick<vscode.TextEditor, 'document' | 'selection'> | undefined,
): { uri: vscode.Uri; line: number } | undefined {
  if (isUri(argument)) {
    const line =
      activeEditor && activeEditor.document.uri.toString() === argument.toString()
        ? activeEditor.selection.active.line
        : 0;
    return { uri: argument, line };
  }
  if (activeEditor && isCocDocument(activeEditor.document)) {
    return { uri: activeEditor.document.uri, line: activeEditor.selection.active.line };
  }
  return undefined;
}

function isUri(value: unknown): value is vscode.Uri {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as vscode.Uri).scheme === 'string' &&
    typeof (value as vscode.Uri).path === 'string' &&
    typeof (value as vscode.Uri).toString === 'function'
  );
}

export const EDIT_VALUE_COMMAND = 'coc.editEmulatedValue';

/**
 * "Edit emulated value…" (pins.ts): the server's edit command for the value typed, from the
 * arguments of the server's code action [uri, line, character, current value, run]; undefined
 * when they are not a site's.
 */
export function editParams(args: unknown[], value: string): ExecuteCommandParams | undefined {
  const [uri, line, character, , run] = args;
  if (typeof uri !== 'string' || typeof line !== 'number' || typeof character !== 'number') {
    return undefined;
  }
  return { command: EDIT_VALUE_COMMAND, arguments: [uri, line, character, value, typeof run === 'number' ? run : 0] };
}
