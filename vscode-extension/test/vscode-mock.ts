/**
 * A small hand-written stand-in for the `vscode` module, enough for the unit tests: esbuild
 * aliases `vscode` to this file when it bundles test/*.test.ts. Tests set `mock.*` to shape what
 * the extension sees and read it back to check what the extension did.
 */
import * as path from 'node:path';

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}

  static file(fsPath: string): Uri {
    return new Uri('file', path.resolve(fsPath));
  }

  static parse(value: string): Uri {
    const match = /^([a-z][a-z0-9+.-]*):(?:\/\/[^/]*)?(.*)$/i.exec(value);
    if (!match) {
      throw new Error(`Not a URI: ${value}`);
    }
    return new Uri(match[1], decodeURIComponent(match[2]));
  }

  get fsPath(): string {
    return this.path;
  }

  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export class DebugAdapterExecutable {
  constructor(
    readonly command: string,
    readonly args: string[] = [],
  ) {}
}

export class MockStatusBarItem {
  text = '';
  tooltip: string | undefined;
  command: string | undefined;
  name: string | undefined;
  visible = false;
  disposed = false;
  constructor(
    readonly id: string,
    readonly alignment: StatusBarAlignment,
    readonly priority: number,
  ) {}
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.disposed = true;
  }
}

export interface MockExtension {
  isActive: boolean;
  exports: unknown;
  activate(): Promise<unknown>;
}

export interface MockWorkspaceFolder {
  uri: Uri;
  name: string;
  index: number;
}

/** Test-controlled state. `reset()` before each test. */
export const mock = {
  settings: {} as Record<string, unknown>,
  extensions: {} as Record<string, MockExtension>,
  workspaceFolders: undefined as MockWorkspaceFolder[] | undefined,
  activeTextEditor: undefined as unknown,
  errorMessages: [] as string[],
  statusBarItems: [] as MockStatusBarItem[],
  reset(): void {
    this.settings = {};
    this.extensions = {};
    this.workspaceFolders = undefined;
    this.activeTextEditor = undefined;
    this.errorMessages = [];
    this.statusBarItems = [];
  },
};

export const workspace = {
  get workspaceFolders(): MockWorkspaceFolder[] | undefined {
    return mock.workspaceFolders;
  },
  getWorkspaceFolder(uri: Uri): MockWorkspaceFolder | undefined {
    return mock.workspaceFolders?.find((folder) => uri.path.startsWith(folder.uri.path + '/'));
  },
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const value = mock.settings[`${section}.${key}`];
        return (value === undefined ? fallback : value) as T | undefined;
      },
    };
  },
};

export const extensions = {
  getExtension(id: string): MockExtension | undefined {
    return mock.extensions[id];
  },
};

export const window = {
  get activeTextEditor(): unknown {
    return mock.activeTextEditor;
  },
  createStatusBarItem(id: string, alignment: StatusBarAlignment, priority: number): MockStatusBarItem {
    const item = new MockStatusBarItem(id, alignment, priority);
    mock.statusBarItems.push(item);
    return item;
  },
  showErrorMessage(message: string): Promise<undefined> {
    mock.errorMessages.push(message);
    return Promise.resolve(undefined);
  },
};

export const debug = {
  registerDebugConfigurationProvider(): { dispose(): void } {
    return { dispose() {} };
  },
  registerDebugAdapterDescriptorFactory(): { dispose(): void } {
    return { dispose() {} };
  },
};
