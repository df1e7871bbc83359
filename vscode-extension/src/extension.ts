/**
 * Entry point of the Chain of Code extension: wires the language server, the editor commands,
 * the status bar and the debugger. Runs in the extension host. Everything registered here goes
 * into `context.subscriptions`.
 */
import * as vscode from 'vscode';
import { ServerManager } from './client';
import { registerDebugger } from './debug';
import { registerPinPrompt } from './pins';
import { RunStatusBar } from './runSummary';
import { RUN_COMMANDS, UNTRUSTED_MESSAGE } from './trust';
import { buildExecuteParams, commandTarget, isCocDocument, SERVER_COMMANDS, type ServerCommand } from './serverCommands';

const OUTPUT_CHANNEL = 'Chain of Code';
const SHOW_OUTPUT = 'coc.showOutput';
const RESTART_SERVER = 'coc.restartServer';

/** Kept for deactivate(), which must return the server's shutdown for VS Code to wait on it. */
let activeServer: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL);
  const statusBar = new RunStatusBar(SHOW_OUTPUT);
  const server = new ServerManager(channel, {
    onRunFinished: (run) => statusBar.showFinished(run),
    onOutput: (output) => channel.append(typeof output.text === 'string' ? output.text : ''),
  });
  activeServer = server;
  context.subscriptions.push(channel, statusBar, server);

  for (const command of SERVER_COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command.editorCommand, (argument: unknown) =>
        runServerCommand(command, argument, server, statusBar, channel),
      ),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_OUTPUT, () => channel.show(true)),
    vscode.commands.registerCommand(RESTART_SERVER, () => server.restart()),
  );

  registerDebugger(context);
  context.subscriptions.push(
    registerPinPrompt((params) => server.executeCommand(params)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void server.settingsChanged()),
  );

  // Start the server only once a .coc.py is open: the extension also activates for plain Python.
  const startIfCoc = (document: vscode.TextDocument): void => {
    if (isCocDocument(document)) {
      void server.ensureStarted();
    }
  };
  vscode.workspace.textDocuments.forEach(startIfCoc);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(startIfCoc),
    vscode.window.onDidChangeActiveTextEditor((editor) => statusBar.updateVisibility(isCocDocument(editor?.document))),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('coc.pythonPath')) {
        void server.restart();
      }
    }),
  );
}

export function deactivate(): Promise<void> | undefined {
  // Stop the server cleanly (shutdown/exit) before VS Code disposes the subscriptions.
  const server = activeServer;
  activeServer = undefined;
  return server?.stop();
}

async function runServerCommand(
  command: ServerCommand,
  argument: unknown,
  server: ServerManager,
  statusBar: RunStatusBar,
  channel: vscode.OutputChannel,
): Promise<void> {
  const target = commandTarget(argument, vscode.window.activeTextEditor);
  if (target === undefined) {
    void vscode.window.showErrorMessage('Chain of Code: open a .coc.py program to run this command on.');
    return;
  }
  if (!vscode.workspace.isTrusted && RUN_COMMANDS.has(command.serverCommand)) {
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const document = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === target.uri.toString());
  if (document?.isDirty) {
    // The server runs the file on disk.
    await document.save();
  }
  const params = buildExecuteParams(command, target.uri.toString(), target.line);
  const runs = command.serverCommand !== 'coc.clearResults';
  if (runs) {
    channel.appendLine(`--- ${command.progressTitle} ${vscode.workspace.asRelativePath(target.uri)} ---`);
    statusBar.showRunning(params.arguments[0] as string);
  }
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Chain of Code: ${command.progressTitle}` },
      () => server.executeCommand(params),
    );
  } catch (error) {
    const message = `Chain of Code: ${command.serverCommand} failed: ${error instanceof Error ? error.message : String(error)}`;
    channel.appendLine(message);
    void vscode.window.showErrorMessage(message);
  } finally {
    if (runs) {
      statusBar.requestDone();
    }
  }
}
