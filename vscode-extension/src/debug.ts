/**
 * The `coc` debugger: a configuration provider that fills defaults (F5 on an open .coc.py with no
 * launch.json) and an adapter factory that starts `<python> -m coc_lsp dap` over stdio.
 * Runs in the extension host; shaped after vscode-mock-debug's extension.ts.
 */
import * as vscode from 'vscode';
import { adapterCommandLine, probeCocLsp, resolveInterpreter } from './interpreter';

export const DEBUG_TYPE = 'coc';

/** The `coc.*` settings a launch configuration inherits when it does not set them itself. */
export const INHERITED_SETTINGS = ['mode', 'model', 'baseUrl', 'backend', 'cacheDir', 'noCache', 'prefetch'] as const;

/** Settings whose default is true: only their `false` needs passing on to the adapter. */
const ON_BY_DEFAULT: ReadonlySet<string> = new Set(['prefetch']);

/** The parts of the editor the provider looks at, so it can be tested without VS Code. */
export interface ActiveDocument {
  languageId: string;
  fsPath: string;
}

export const NOTHING_TO_DEBUG =
  'Nothing to debug: open a Chain of Code program (.coc.py) or add a "coc" configuration with a "program" to launch.json.';

/**
 * Fills a launch configuration. Returns undefined (abort) with a message when there is nothing
 * to debug. Pure: `settings` holds the `coc.*` settings for the program's folder.
 */
export function fillDebugConfiguration(
  config: vscode.DebugConfiguration,
  active: ActiveDocument | undefined,
  settings: Partial<Record<(typeof INHERITED_SETTINGS)[number], unknown>>,
): { config: vscode.DebugConfiguration } | { error: string } {
  const filled: vscode.DebugConfiguration = { ...config };
  const isEmpty = !config.type && !config.request && !config.name;
  if (isEmpty) {
    if (active === undefined || !active.fsPath.endsWith('.coc.py')) {
      return { error: NOTHING_TO_DEBUG };
    }
    filled.type = DEBUG_TYPE;
    filled.request = 'launch';
    filled.name = 'Chain of Code: Current File';
    filled.program = '${file}';
  }
  if (!filled.program) {
    return { error: `The "${filled.name ?? DEBUG_TYPE}" launch configuration has no "program" to debug.` };
  }
  for (const key of INHERITED_SETTINGS) {
    const value = settings[key];
    const isDefault = value === (ON_BY_DEFAULT.has(key) ? true : false);
    if (filled[key] === undefined && value !== undefined && value !== '' && !isDefault) {
      filled[key] = value;
    }
  }
  return { config: filled };
}

export class CocConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.ProviderResult<vscode.DebugConfiguration> {
    const editor = vscode.window.activeTextEditor;
    const active = editor
      ? { languageId: editor.document.languageId, fsPath: editor.document.uri.fsPath }
      : undefined;
    const scope = folder?.uri ?? editor?.document.uri;
    const section = vscode.workspace.getConfiguration('coc', scope);
    const settings = Object.fromEntries(INHERITED_SETTINGS.map((key) => [key, section.get(key)]));
    const result = fillDebugConfiguration(config, active, settings);
    if ('error' in result) {
      // Returning undefined aborts the launch; the message says why.
      void vscode.window.showErrorMessage(result.error);
      return undefined;
    }
    return result.config;
  }
}

export class CocAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const program = typeof session.configuration.program === 'string' ? session.configuration.program : undefined;
    const resource = program ? vscode.Uri.file(program) : session.workspaceFolder?.uri;
    // The same interpreter as the language server.
    const interpreter = await resolveInterpreter(resource);
    const probe = await probeCocLsp(interpreter);
    if (!probe.ok) {
      // Thrown errors are shown by VS Code as the reason the session could not start.
      throw new Error(probe.message);
    }
    const { command, args } = adapterCommandLine(interpreter);
    return new vscode.DebugAdapterExecutable(command, args);
  }
}

export function registerDebugger(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new CocConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new CocAdapterFactory()),
  );
}
