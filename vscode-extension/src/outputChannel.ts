/**
 * The "Chain of Code" output channel, shared by the program's output (`coc/output`) and the
 * language client's log. Runs in the extension host.
 *
 * The server sends each piece of program output twice: as `coc/output` for this extension and as
 * window/logMessage for editors that know no custom notifications. The client writes log messages
 * into the same channel, so the mirrored copy is dropped here: in the order they arrive (one
 * connection, so order is kept), a log line equal to pending program output is skipped once.
 */
import type * as vscode from 'vscode';

/** How many pieces of program output may wait for their mirror before the oldest is forgotten. */
const MAX_PENDING = 200;

/** languageclient's prefix for Info/Warn/Error log lines: `[Info  - 10:52:53 AM] `. */
const LOG_PREFIX = /^\[(?:Info|Warn|Error|Trace)\s*- [^\]]*\] /;

export class ProgramOutputChannel implements vscode.OutputChannel {
  private readonly pending: string[] = [];

  constructor(private readonly inner: vscode.OutputChannel) {}

  get name(): string {
    return this.inner.name;
  }

  /** Program output from `coc/output`: shown now, its log-message mirror skipped later. */
  appendProgramOutput(text: string): void {
    this.inner.append(text);
    const mirrored = text.replace(/\n+$/, '');
    if (mirrored !== '') {
      this.pending.push(mirrored);
      if (this.pending.length > MAX_PENDING) {
        this.pending.shift();
      }
    }
  }

  append(value: string): void {
    this.inner.append(value);
  }

  appendLine(value: string): void {
    if (this.pending.length > 0) {
      const message = value.replace(LOG_PREFIX, '');
      if (message === this.pending[0]) {
        this.pending.shift();
        return;
      }
    }
    this.inner.appendLine(value);
  }

  replace(value: string): void {
    this.inner.replace(value);
  }

  clear(): void {
    this.pending.length = 0;
    this.inner.clear();
  }

  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(first?: boolean | vscode.ViewColumn, preserveFocus?: boolean): void {
    if (typeof first === 'boolean' || first === undefined) {
      this.inner.show(first);
    } else {
      this.inner.show(first, preserveFocus);
    }
  }

  hide(): void {
    this.inner.hide();
  }

  dispose(): void {
    this.inner.dispose();
  }
}
