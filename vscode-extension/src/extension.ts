/**
 * Entry point of the Chain of Code extension: wires the language server, the editor commands,
 * the status bar and the debugger. Runs in the extension host. Everything registered here goes
 * into `context.subscriptions`.
 */
import * as vscode from 'vscode';
import { ServerManager } from './client';
import { registerDebugger } from './debug';
import { registerPinPrompt } from './pins';
import { acceptedRun, type RunFinishedParams, RunStatusBar } from './runSummary';
import { RUN_COMMANDS, UNTRUSTED_MESSAGE } from './trust';
import { buildExecuteParams, commandTarget, isCocDocument, SERVER_COMMANDS, type ServerCommand } from './serverCommands';
import {
  acceptedSolve,
  questionInEditor,
  SOLVE_EDITOR_COMMAND,
  SOLVE_SERVER_COMMAND,
  type SolveArgument,
  type SolveFinishedParams,
  typedQuestion,
  Waiters,
} from './solve';

const OUTPUT_CHANNEL = 'Chain of Code';
const SHOW_OUTPUT = 'coc.showOutput';
const RESTART_SERVER = 'coc.restartServer';
const RUN_TITLE = 'Run as Chain of Code';
/** How long to wait for a run's or a solve's end notification: past the server's own limit. */
const NOTIFICATION_WAIT_MS = 15 * 60 * 1000;

/** What the commands share. */
interface Context {
  server: ServerManager;
  statusBar: RunStatusBar;
  channel: vscode.OutputChannel;
  runs: Waiters<RunFinishedParams>;
  solves: Waiters<SolveFinishedParams>;
}

/** Kept for deactivate(), which must return the server's shutdown for VS Code to wait on it. */
let activeServer: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL);
  const statusBar = new RunStatusBar(SHOW_OUTPUT);
  const runs = new Waiters<RunFinishedParams>();
  const solves = new Waiters<SolveFinishedParams>();
  const server = new ServerManager(channel, {
    onRunFinished: (run) => {
      statusBar.showFinished(run);
      runs.deliver(run.run, run);
    },
    onOutput: (output) => channel.append(typeof output.text === 'string' ? output.text : ''),
    onSolveFinished: (solve) => solves.deliver(solve.solve, solve),
    onStopped: () => {
      runs.clear();
      solves.clear();
    },
  });
  activeServer = server;
  context.subscriptions.push(channel, statusBar, server);
  const shared: Context = { server, statusBar, channel, runs, solves };

  for (const command of SERVER_COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command.editorCommand, (argument: unknown) =>
        runServerCommand(command, argument, shared),
      ),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand(SOLVE_EDITOR_COMMAND, () => solveQuestion(shared)),
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

/** Sends the run command; its answer ({accepted, uri, run}), or undefined when it failed. */
async function runServerCommand(command: ServerCommand, argument: unknown, context: Context): Promise<unknown> {
  const { server, statusBar, channel } = context;
  const target = commandTarget(argument, vscode.window.activeTextEditor);
  if (target === undefined) {
    void vscode.window.showErrorMessage('Chain of Code: open a .coc.py program to run this command on.');
    return undefined;
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
  let answer: unknown;
  try {
    answer = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Chain of Code: ${command.progressTitle}` },
      () => server.executeCommand(params),
    );
  } catch (error) {
    const message = `Chain of Code: ${command.serverCommand} failed: ${errorText(error)}`;
    channel.appendLine(message);
    void vscode.window.showErrorMessage(message);
  } finally {
    if (runs) {
      statusBar.requestDone(answer); // with a run number, the spinner stays until its coc/runFinished
    }
  }
  return answer;
}

/** "Chain of Code: Solve a Question…": have the program written, show it, offer to run it. */
async function solveQuestion(context: Context): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
    return;
  }
  const editor = vscode.window.activeTextEditor;
  let argument: SolveArgument | undefined = questionInEditor(editor, isCocDocument(editor?.document));
  if (argument === undefined) {
    const question = await vscode.window.showInputBox({
      title: 'Chain of Code: Solve a Question',
      prompt: 'The language model writes a Chain of Code program for this question, in a new .coc.py file.',
      placeHolder: 'How many of these are fruits: apple, violin, banana?',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Type the question.'),
    });
    if (!question?.trim()) {
      return;
    }
    const fileUri = editor?.document.uri.scheme === 'file' ? editor.document.uri.toString() : undefined;
    argument = typedQuestion(question, fileUri, vscode.workspace.workspaceFolders?.[0]?.uri.toString());
  }
  const request = argument;
  let finished: SolveFinishedParams | undefined;
  try {
    finished = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Chain of Code: writing a program for the question' },
      async () => {
        const answer = await context.server.executeCommand({ command: SOLVE_SERVER_COMMAND, arguments: [request] });
        const solve = acceptedSolve(answer);
        return solve === undefined ? undefined : context.solves.wait(solve, NOTIFICATION_WAIT_MS);
      },
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`Chain of Code: ${errorText(error)}`);
    return;
  }
  // An error or a cancel: the server's window/showMessage already said why.
  if (finished?.status !== 'inserted' || finished.uri === undefined) {
    return;
  }
  context.channel.appendLine(`--- A program for the question was written to ${finished.uri} ---`);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(finished.uri));
  const shown = await vscode.window.showTextDocument(document);
  if (finished.range !== undefined) {
    const { start, end } = finished.range;
    const range = new vscode.Range(start.line, start.character, end.line, end.character);
    shown.selection = new vscode.Selection(range.start, range.end);
    shown.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  const name = vscode.workspace.asRelativePath(document.uri);
  const choice = await vscode.window.showInformationMessage(
    `Chain of Code: the language model wrote a program for the question in ${name}.`,
    RUN_TITLE,
  );
  if (choice === RUN_TITLE) {
    await runAndShowAnswer(document.uri, context);
  }
}

/** Runs the program and shows its answer when the run ends. */
async function runAndShowAnswer(uri: vscode.Uri, context: Context): Promise<void> {
  const run = SERVER_COMMANDS.find((command) => command.serverCommand === 'coc.run');
  if (run === undefined) {
    return;
  }
  const number = acceptedRun(await runServerCommand(run, uri, context));
  const result = number === undefined ? undefined : await context.runs.wait(number, NOTIFICATION_WAIT_MS);
  if (result?.status === 'ok') {
    void vscode.window.showInformationMessage(`Chain of Code: answer = ${result.answer ?? '(no answer set)'}`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
