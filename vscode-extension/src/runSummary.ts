/**
 * The status bar item that shows the last run, fed by the server's `coc/runFinished`
 * notification. Runs in the extension host; the formatting is pure so it is unit tested.
 */
import * as vscode from 'vscode';

/** Params of `coc/runFinished`, as the server sends them. */
export interface RunFinishedParams {
  uri: string;
  /** The number the run command answered with ({accepted, uri, run}); undefined from older servers. */
  run: number | undefined;
  status: string;
  emulated: number;
  lmCalls: number;
  cacheHits: number;
  seconds: number;
  backend: string;
  /** The program's `answer` as the trace shows it (a repr), or undefined. */
  answer: string | undefined;
}

/** Params of `coc/output`: a piece of the program's stdout/stderr. */
export interface OutputParams {
  uri: string;
  stream: string;
  text: string;
}

const SUCCESS = new Set(['ok', 'success', 'succeeded', 'finished', 'completed', 'done']);

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '?s';
  }
  if (seconds < 10) {
    return `${seconds.toFixed(2)}s`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)}s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${Math.round(seconds - minutes * 60)}s`;
}

function baseName(uri: string): string {
  const path = uri.split(/[?#]/)[0];
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Status bar text and tooltip for a finished run. */
export function formatRunSummary(run: RunFinishedParams): { text: string; tooltip: string } {
  const ok = SUCCESS.has(run.status.toLowerCase());
  const icon = ok ? '$(check)' : '$(warning)';
  const parts = [
    `${plural(run.emulated, 'line')} emulated`,
    plural(run.lmCalls, 'LM call'),
    formatSeconds(run.seconds),
  ];
  const text = `${icon} CoC${ok ? '' : ` ${run.status}`}: ${parts.join(' · ')}`;
  const tooltip = [
    `Chain of Code: last run of ${baseName(run.uri)}: ${run.status}`,
    `${plural(run.emulated, 'line')} emulated by the language model`,
    `${plural(run.lmCalls, 'LM call')}, ${plural(run.cacheHits, 'cache hit')}`,
    `backend: ${run.backend || 'default'}`,
    `time: ${formatSeconds(run.seconds)}`,
    'Click to show the output.',
  ].join('\n');
  return { text, tooltip };
}

/** Reads a `coc/runFinished` payload defensively: missing numbers become 0. */
export function parseRunFinished(params: unknown): RunFinishedParams {
  const raw = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  const str = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
  return {
    uri: str(raw.uri, ''),
    run: typeof raw.run === 'number' ? raw.run : undefined,
    status: str(raw.status, 'unknown'),
    emulated: num(raw.emulated),
    lmCalls: num(raw.lmCalls),
    cacheHits: num(raw.cacheHits),
    seconds: num(raw.seconds),
    backend: str(raw.backend, ''),
    answer: typeof raw.answer === 'string' ? raw.answer : undefined,
  };
}

/** The run number in a run command's answer ({accepted, uri, run}), if there is one. */
export function acceptedRun(answer: unknown): number | undefined {
  const run = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>).run : undefined;
  return typeof run === 'number' ? run : undefined;
}

/**
 * The status bar item: hidden until the first run, shown while a .coc.py editor is active.
 * A run command answers at once ({accepted, uri, run}); the spinner stays until the
 * `coc/runFinished` of that run number (a replaced run's own finish does not stop it).
 */
export class RunStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private hasRun = false;
  private running = false;
  /** The run number the spinner waits for, once the command has answered. */
  private awaited: number | undefined;
  private previous: { text: string; tooltip: string | vscode.MarkdownString | undefined } | undefined;

  constructor(showOutputCommand: string) {
    this.item = vscode.window.createStatusBarItem('coc.lastRun', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Chain of Code: Last Run';
    this.item.command = showOutputCommand;
  }

  showRunning(uri: string): void {
    if (!this.running) {
      this.previous = { text: this.item.text, tooltip: this.item.tooltip };
    }
    this.running = true;
    this.awaited = undefined;
    this.item.text = '$(sync~spin) CoC: running';
    this.item.tooltip = `Chain of Code: running ${baseName(uri)}`;
    this.item.show();
  }

  showFinished(run: RunFinishedParams): void {
    if (this.running && this.awaited !== undefined && run.run !== this.awaited) {
      return; // another run's end (the one ours replaced): keep spinning for ours
    }
    const { text, tooltip } = formatRunSummary(run);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.hasRun = true;
    this.running = false;
    this.item.show();
  }

  /**
   * The run command answered. With a run number (`answer` = {accepted, uri, run}) the spinner stays
   * until that run's `coc/runFinished`; without one (the command failed) the previous state returns.
   */
  requestDone(answer?: unknown): void {
    if (!this.running) {
      return; // the run's finish came first
    }
    const run = acceptedRun(answer);
    if (run !== undefined) {
      this.awaited = run;
      return;
    }
    this.running = false;
    this.item.text = this.previous?.text ?? '';
    this.item.tooltip = this.previous?.tooltip;
    if (!this.hasRun) {
      this.item.hide();
    }
  }

  /** Keeps the item visible only next to .coc.py editors once there is something to show. */
  updateVisibility(isCocEditor: boolean): void {
    if (this.hasRun && isCocEditor) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
