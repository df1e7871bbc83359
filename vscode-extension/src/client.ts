/**
 * Starts, restarts and stops the Chain of Code language server (`<python> -m coc_lsp lsp`, stdio)
 * and forwards its custom notifications. Runs in the extension host.
 */
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { installCommand, type Interpreter, probeCocLsp, resolveInterpreter, serverCommandLine } from './interpreter';
import { type OutputParams, parseRunFinished, type RunFinishedParams } from './runSummary';
import type { ExecuteCommandParams } from './serverCommands';
import { parseSolveFinished, type SolveFinishedParams } from './solve';
import { trustMiddleware } from './trust';

export const CLIENT_ID = 'coc';
export const CLIENT_NAME = 'Chain of Code';
export const DOCUMENT_SELECTOR = [{ scheme: 'file', pattern: '**/*.coc.py' }];

function buildServerOptions(interpreter: Interpreter, cwd: string | undefined): ServerOptions {
  const { command, args } = serverCommandLine(interpreter);
  // No `transport`: with TransportKind.stdio the client would append `--stdio` to the arguments.
  // Without it the client still speaks LSP over the process's stdin/stdout.
  return { command, args, options: cwd ? { cwd } : undefined };
}

export interface ServerEvents {
  onRunFinished(run: RunFinishedParams): void;
  onOutput(output: OutputParams): void;
  onSolveFinished(solve: SolveFinishedParams): void;
  /** The server stopped: what waits for its notifications will not get them. */
  onStopped(): void;
}

/** Owns the one LanguageClient; `start` is idempotent, `restart` stops and starts again. */
export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;

  constructor(
    private readonly channel: vscode.OutputChannel,
    private readonly events: ServerEvents,
  ) {}

  /** The running client, starting it if needed; undefined (after a message) when it cannot run. */
  async ensureStarted(): Promise<LanguageClient | undefined> {
    if (this.client?.isRunning()) {
      return this.client;
    }
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.stop();
    const client = await this.ensureStarted();
    if (client) {
      void vscode.window.showInformationMessage('Chain of Code: language server restarted.');
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.events.onStopped();
    if (client) {
      try {
        await client.stop();
      } catch (error) {
        this.channel.appendLine(`Stopping the language server failed: ${String(error)}`);
      }
    }
  }

  async executeCommand(params: ExecuteCommandParams): Promise<unknown> {
    const client = await this.ensureStarted();
    if (client === undefined) {
      return undefined;
    }
    return client.sendRequest(ExecuteCommandRequest.type, params);
  }

  /** The server reads its settings again (after the folder was trusted: live runs may start). */
  async settingsChanged(): Promise<void> {
    if (this.client?.isRunning()) {
      await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  dispose(): void {
    void this.stop();
  }

  private async start(): Promise<LanguageClient | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const interpreter = await resolveInterpreter(folder?.uri);
    this.channel.appendLine(`Using Python interpreter '${interpreter.path}' (${interpreter.source}).`);
    const probe = await probeCocLsp(interpreter);
    if (!probe.ok) {
      this.channel.appendLine(probe.message);
      void this.showInstallError(interpreter, probe.message);
      return undefined;
    }
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      // Sends workspace/didChangeConfiguration for `coc` at start and on every change; the
      // server's workspace/configuration requests are answered from the same settings.
      synchronize: { configurationSection: 'coc' },
      // This extension shows `coc/output` in the channel itself: no window/logMessage copy.
      // `editValuePrompt`: "Edit emulated value…" comes to this extension for an input box (pins.ts).
      initializationOptions: { outputNotifications: true, editValuePrompt: true },
      middleware: trustMiddleware(
        () => vscode.workspace.isTrusted,
        (message) => void vscode.window.showWarningMessage(message),
      ),
      outputChannel: this.channel,
      traceOutputChannel: this.channel,
    };
    const client = new LanguageClient(
      CLIENT_ID,
      CLIENT_NAME,
      buildServerOptions(interpreter, folder?.uri.fsPath),
      clientOptions,
    );
    client.onNotification('coc/runFinished', (params: unknown) => this.events.onRunFinished(parseRunFinished(params)));
    client.onNotification('coc/output', (params: OutputParams) => this.events.onOutput(params));
    client.onNotification('coc/solveFinished', (params: unknown) =>
      this.events.onSolveFinished(parseSolveFinished(params)),
    );
    try {
      await client.start();
    } catch (error) {
      const message = `The Chain of Code language server could not start with '${interpreter.path}': ${String(error)}`;
      this.channel.appendLine(message);
      void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => {
        if (choice) {
          this.channel.show();
        }
      });
      return undefined;
    }
    this.client = client;
    return client;
  }

  private async showInstallError(interpreter: Interpreter, message: string): Promise<void> {
    const copy = 'Copy Install Command';
    const settings = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(message, copy, settings);
    if (choice === copy) {
      await vscode.env.clipboard.writeText(installCommand(interpreter.path));
    } else if (choice === settings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'coc.pythonPath');
    }
  }
}
