/**
 * "Chain of Code: Solve a Question…": the server's `coc.solve` has the language model write a
 * Chain of Code program for a question and inserts it as a workspace edit (below the question in
 * the .coc.py file, or as a new file). The question is the selection, else the file's docstring,
 * else what the user types in an input box (the program then goes to a new file).
 * The command answers at once ({accepted, solve}); the result comes as `coc/solveFinished`.
 * Pure apart from the `vscode` types, so it is unit tested.
 */
import type * as vscode from 'vscode';

export const SOLVE_EDITOR_COMMAND = 'coc.editor.solve';
export const SOLVE_SERVER_COMMAND = 'coc.solve';

interface PlainPosition {
  line: number;
  character: number;
}

export interface PlainRange {
  start: PlainPosition;
  end: PlainPosition;
}

/** The argument of `coc.solve`. */
export interface SolveArgument {
  uri?: string;
  question?: string;
  range?: PlainRange;
  target: 'below' | 'newFile';
  folder?: string;
}

/** Params of `coc/solveFinished`, as the server sends them. */
export interface SolveFinishedParams {
  solve: number | undefined;
  status: string;
  uri: string | undefined;
  range: PlainRange | undefined;
  error: string | undefined;
  warning: string | undefined;
}

type QuestionEditor = Pick<vscode.TextEditor, 'selection'> & {
  document: Pick<vscode.TextDocument, 'uri' | 'getText'>;
};

/** Whether `text` starts, after comments and blank lines, with a non-empty string: a docstring. */
export function hasDocstring(text: string): boolean {
  const match = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*[rRuU]?("""|'''|"|')([\s\S]*?)\1/.exec(text);
  return match !== null && match[2].trim().length > 0;
}

/**
 * The `coc.solve` argument for a question in the active .coc.py editor: its selection, else its
 * docstring (the server reads it). Undefined when there is none: ask for the question.
 */
export function questionInEditor(editor: QuestionEditor | undefined, isCoc: boolean): SolveArgument | undefined {
  if (editor === undefined || !isCoc) {
    return undefined;
  }
  const uri = editor.document.uri.toString();
  const { start, end } = editor.selection;
  if (start.line !== end.line || start.character !== end.character) {
    return {
      uri,
      range: { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } },
      target: 'below',
    };
  }
  return hasDocstring(editor.document.getText()) ? { uri, target: 'below' } : undefined;
}

/** The argument for a typed question: a new file beside the active file, else in `folder`. */
export function typedQuestion(question: string, fileUri: string | undefined, folder: string | undefined): SolveArgument {
  const argument: SolveArgument = { question: question.trim(), target: 'newFile' };
  if (fileUri !== undefined) {
    argument.uri = fileUri;
  }
  if (folder !== undefined) {
    argument.folder = folder;
  }
  return argument;
}

/** The solve number in the command's answer ({accepted, solve}), if there is one. */
export function acceptedSolve(answer: unknown): number | undefined {
  const solve = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>).solve : undefined;
  return typeof solve === 'number' ? solve : undefined;
}

/** Reads a `coc/solveFinished` payload defensively. */
export function parseSolveFinished(params: unknown): SolveFinishedParams {
  const raw = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    solve: typeof raw.solve === 'number' ? raw.solve : undefined,
    status: text(raw.status) ?? 'unknown',
    uri: text(raw.uri),
    range: plainRange(raw.range),
    error: text(raw.error),
    warning: text(raw.warning),
  };
}

function plainRange(value: unknown): PlainRange | undefined {
  const position = (raw: unknown): PlainPosition | undefined => {
    const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    return typeof p.line === 'number' && typeof p.character === 'number' ? { line: p.line, character: p.character } : undefined;
  };
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const start = position(raw.start);
  const end = position(raw.end);
  return start && end ? { start, end } : undefined;
}

/**
 * Numbered notifications someone waits for (a run's `coc/runFinished`, a solve's
 * `coc/solveFinished`). A notification that comes before its waiter (the command's answer and the
 * notification race in the extension host) is kept for it; only the last few are kept.
 */
export class Waiters<T> {
  private readonly waiting = new Map<number, (value: T | undefined) => void>();
  private readonly early = new Map<number, T>();

  constructor(private readonly keep = 32) {}

  /** The value delivered for `number`, or undefined after `timeoutMs`. */
  wait(number: number, timeoutMs: number): Promise<T | undefined> {
    const early = this.early.get(number);
    if (early !== undefined) {
      this.early.delete(number);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(number);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(number, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }

  deliver(number: number | undefined, value: T): void {
    if (number === undefined) {
      return;
    }
    const waiter = this.waiting.get(number);
    if (waiter !== undefined) {
      this.waiting.delete(number);
      waiter(value);
      return;
    }
    this.early.set(number, value);
    for (const old of this.early.keys()) {
      if (this.early.size <= this.keep) {
        break;
      }
      this.early.delete(old);
    }
  }

  /** Ends every wait (the server restarted: its numbers start again). */
  clear(): void {
    for (const waiter of this.waiting.values()) {
      waiter(undefined);
    }
    this.waiting.clear();
    this.early.clear();
  }
}
