/**
 * Which Python interpreter runs the language server and the debug adapter, and whether it has
 * the coc_lsp package. Runs in the extension host.
 *
 * Order: the `coc.pythonPath` setting, else the Python extension's active interpreter (its API is
 * optional: we never depend on the extension being installed), else `python3`.
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';

export const DEFAULT_PYTHON = 'python3';
export const PYTHON_EXTENSION_ID = 'ms-python.python';

/** Where the chosen interpreter came from, for messages. */
export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface Interpreter {
  /** Executable path or command name. */
  path: string;
  source: InterpreterSource;
}

/** Expands `${workspaceFolder}`, `${userHome}` and a leading `~` in a configured path. */
export function expandPath(value: string, workspaceFolder: string | undefined, home = os.homedir()): string {
  let expanded = value.trim();
  if (expanded === '~' || expanded.startsWith('~/')) {
    expanded = home + expanded.slice(1);
  }
  expanded = expanded.replace(/\$\{userHome\}/g, home);
  if (workspaceFolder !== undefined) {
    expanded = expanded.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  return expanded;
}

/** The subset of the Python extension's exported API we use (both its old and new shapes). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment?(
      env: { path: string } | string,
    ): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

/** The Python extension's active interpreter for `resource`, or undefined when there is none. */
export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const active = api?.environments?.getActiveEnvironmentPath(resource);
    if (active?.path) {
      const resolved = await api.environments?.resolveEnvironment?.(active);
      return resolved?.executable?.uri?.fsPath ?? active.path;
    }
    const command = api?.settings?.getExecutionDetails?.(resource).execCommand;
    return command?.[0] || undefined;
  } catch (error) {
    // The Python extension failing must not stop us: fall back to the default interpreter.
    console.warn(`coc-lsp: could not ask the Python extension for its interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Picks the interpreter: setting, else the Python extension, else python3. */
export async function chooseInterpreter(
  configuredPath: string | undefined,
  workspaceFolder: string | undefined,
  askPythonExtension: () => Promise<string | undefined>,
): Promise<Interpreter> {
  if (configuredPath && configuredPath.trim() !== '') {
    return { path: expandPath(configuredPath, workspaceFolder), source: 'setting' };
  }
  const fromExtension = await askPythonExtension();
  if (fromExtension) {
    return { path: fromExtension, source: 'python-extension' };
  }
  return { path: DEFAULT_PYTHON, source: 'default' };
}

/** The interpreter for a document (or the first workspace folder when there is none). */
export async function resolveInterpreter(resource?: vscode.Uri): Promise<Interpreter> {
  const folder =
    (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
  const configured = vscode.workspace.getConfiguration('coc', resource ?? folder?.uri).get<string>('pythonPath');
  return chooseInterpreter(configured, folder?.uri.fsPath, () => pythonExtensionInterpreter(resource));
}

/** The command line that installs coc_lsp into `python`, for messages. */
export function installCommand(python: string): string {
  const quoted = /\s/.test(python) ? `"${python}"` : python;
  return `${quoted} -m pip install coc-lsp`;
}

/** A process to start: the interpreter and its arguments. */
export interface CommandLine {
  command: string;
  args: string[];
}

/** The language server: `<python> -m coc_lsp lsp`, speaking LSP over stdio. */
export function serverCommandLine(interpreter: Interpreter): CommandLine {
  return { command: interpreter.path, args: ['-m', 'coc_lsp', 'lsp'] };
}

/** The debug adapter: `<python> -m coc_lsp dap`, speaking DAP over stdio. */
export function adapterCommandLine(interpreter: Interpreter): CommandLine {
  return { command: interpreter.path, args: ['-m', 'coc_lsp', 'dap'] };
}

/** Whether an interpreter can run coc_lsp; when not, a whole sentence saying why and how to fix it. */
export type ProbeResult = { ok: true } | { ok: false; message: string };

/** Runs `<python> -c "import coc_lsp"` and explains a failure. */
export function probeCocLsp(interpreter: Interpreter, timeoutMs = 30_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(interpreter.path, ['-c', 'import coc_lsp'], { timeout: timeoutMs }, (error, _stdout, stderr) => {
      resolve(explainProbe(interpreter, error, stderr));
    });
  });
}

/** Turns the outcome of the import check into a message naming the interpreter and the fix. */
export function explainProbe(
  interpreter: Interpreter,
  error: (Error & { code?: string | number | null }) | null,
  stderr: string,
): ProbeResult {
  if (error === null) {
    return { ok: true };
  }
  const origin = describeSource(interpreter.source);
  if (error.code === 'ENOENT') {
    return {
      ok: false,
      message:
        `Python interpreter '${interpreter.path}' (${origin}) was not found. ` +
        `Set 'coc.pythonPath' to a Python 3 interpreter that has coc_lsp installed.`,
    };
  }
  const detail = stderr.trim().split('\n').pop() ?? '';
  return {
    ok: false,
    message:
      `The coc_lsp package is not installed in '${interpreter.path}' (${origin})` +
      (detail ? `: ${detail}. ` : '. ') +
      `Install it with '${installCommand(interpreter.path)}' (from a checkout: 'pip install -e .[embedded]'), ` +
      `or set 'coc.pythonPath' to an interpreter that has it.`,
  };
}

function describeSource(source: InterpreterSource): string {
  switch (source) {
    case 'setting':
      return "from the 'coc.pythonPath' setting";
    case 'python-extension':
      return "the Python extension's active interpreter";
    case 'default':
      return "the default; set 'coc.pythonPath' to choose another";
  }
}
