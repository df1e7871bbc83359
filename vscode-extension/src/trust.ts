/**
 * Workspace Trust. The extension supports untrusted workspaces in a limited way (package.json
 * `capabilities.untrustedWorkspaces`): the editor features work, but nothing runs the folder's
 * program until the user trusts it. Live runs (`coc.liveRun`) are forced "off" in the settings the
 * server reads, and the run commands are refused with a message. `coc.liveRun`, `coc.pythonPath`,
 * `coc.backend` and `coc.cacheDir` are restricted settings: a folder's own values apply only once it
 * is trusted. When trust is granted the server is told to read its settings again.
 * Runs in the extension host; pure apart from the `vscode` types.
 */
import type { Middleware } from 'vscode-languageclient/node';

/** Server commands that run the program (the pin commands only write the answers file). */
/** Commands that run a program or read the folder's settings (coc.toml may name a backend module). */
export const RUN_COMMANDS: ReadonlySet<string> = new Set(['coc.run', 'coc.runToLine', 'coc.reemulateLine', 'coc.solve']);
export const UNTRUSTED_MESSAGE = 'Chain of Code runs programs only in a trusted workspace: trust this folder to run it.';

/** The `coc` sections of a workspace/configuration answer with live runs off. */
export function withLiveRunsOff(items: readonly { section?: string }[], result: unknown): unknown {
  if (!Array.isArray(result)) {
    return result;
  }
  return result.map((value: unknown, index) => {
    const section = items[index]?.section;
    if (section === 'coc' && typeof value === 'object' && value !== null) {
      return { ...(value as Record<string, unknown>), liveRun: 'off' };
    }
    if (section === 'coc.liveRun') {
      return 'off';
    }
    return value;
  });
}

/** The language client's middleware: live runs off and run commands refused while untrusted. */
export function trustMiddleware(isTrusted: () => boolean, refuse: (message: string) => void): Middleware {
  return {
    workspace: {
      configuration: async (params, token, next) => {
        const result = await next(params, token);
        return isTrusted() ? result : (withLiveRunsOff(params.items, result) as typeof result);
      },
    },
    executeCommand: async (command, args, next) => {
      if (!isTrusted() && RUN_COMMANDS.has(command)) {
        refuse(UNTRUSTED_MESSAGE);
        return undefined;
      }
      return next(command, args);
    },
  };
}
