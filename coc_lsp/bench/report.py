"""The report of a bench run, from its folder's files alone: report.md, results.csv and, when
matplotlib is installed (`pip install 'coc-lsp[bench]'`), accuracy.png.

Accuracy is per task file and method; the paper's Table A1 pools the 3/5/7-object files of
logical_deduction and tracking_shuffled_objects, so the report's rows (and the macro average over
the paper's 23 tasks) pool them the same way: correct answers over questions across the files.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from coc_lsp.bench.data import paper_task
from coc_lsp.bench.results import load_records, read_settings

CITATION = (
    'Li et al., "Chain of Code: Reasoning with a Language Model-Augmented Code Emulator", ICML 2024'
    " (arXiv:2312.04474), Table A1: text-davinci-003, single-task 3-shot"
)
# Our method -> the paper's Table A1 column, in the paper's order.
PAPER_COLUMNS = {
    "direct": "direct",
    "cot": "cot",
    "coc": "coc_interweave",
    "coc-try-python-except-lm-state": "coc_tryPy_exceptLMstate",
    "coc-try-python-except-lm": "coc_tryPy_exceptLM",
    "coc-python": "coc_python",
    "coc-lm": "coc_LMstate",
}
FAILURE_KINDS = {
    "parse": "did not parse",
    "run": "run failed",
    "fallback": "fallback used",
    "unparseable": "answer unparseable",
}
PAPER_AVERAGE_ROW = "all_tasks_avg"
CROSS_TASK_NOTE = (
    "This run showed cross-task exemplars; the paper's cross-task averages (text-davinci-003, arXiv:2312.04474)"
    " are Direct 50, CoT 55, CoC 61, against the single-task figures below."
)
CHART = "accuracy.png"
NO_CHART = "no chart: it needs matplotlib (pip install 'coc-lsp[bench]')"


@dataclass
class Cell:
    """The records of one (task, method)."""

    questions: int = 0
    correct: int = 0
    strict: int = 0
    lm_calls: int = 0
    tokens: int = 0
    seconds: float = 0.0
    failures: Counter[str] = field(default_factory=Counter)

    def add(self, record: dict[str, Any]) -> None:
        self.questions += 1
        self.correct += bool(record.get("correct"))
        self.strict += bool(record.get("strict"))
        self.lm_calls += int(record.get("lm_calls") or 0)
        self.tokens += int(record.get("tokens") or 0)
        self.seconds += float(record.get("seconds") or 0.0)
        self.failures.update(record.get("failures") or [])

    def merged(self, other: Cell) -> Cell:
        return Cell(
            self.questions + other.questions, self.correct + other.correct, self.strict + other.strict,
            self.lm_calls + other.lm_calls, self.tokens + other.tokens, self.seconds + other.seconds,
            self.failures + other.failures,
        )  # fmt: skip

    @property
    def accuracy(self) -> float:
        return 100 * self.correct / self.questions if self.questions else 0.0

    @property
    def strict_accuracy(self) -> float:
        return 100 * self.strict / self.questions if self.questions else 0.0


@dataclass
class Tables:
    methods: list[str]
    by_file: dict[tuple[str, str], Cell]  # (task file, method)
    by_task: dict[tuple[str, str], Cell]  # (paper task, method), pooled

    def tasks(self) -> list[str]:
        return sorted({task for task, _ in self.by_task})

    def macro(self, method: str) -> tuple[float, float, int]:
        """(accuracy, strict accuracy, tasks) averaged over the paper tasks this method ran."""
        cells = [cell for (_, m), cell in self.by_task.items() if m == method and cell.questions]
        if not cells:
            return 0.0, 0.0, 0
        return sum(c.accuracy for c in cells) / len(cells), sum(c.strict_accuracy for c in cells) / len(cells), len(cells)

    def totals(self, method: str) -> Cell:
        total = Cell()
        for (_, m), cell in self.by_file.items():
            if m == method:
                total = total.merged(cell)
        return total


def tables(records: Iterable[dict[str, Any]]) -> Tables:
    by_file: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for record in records:
        by_file[(record["task"], record["method"])].add(record)
    by_task: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for (task, method), cell in sorted(by_file.items()):
        key = (paper_task(task), method)
        by_task[key] = by_task[key].merged(cell)
    seen = {method for _, method in by_file}
    methods = [m for m in PAPER_COLUMNS if m in seen] + sorted(seen - set(PAPER_COLUMNS))  # the paper's order
    return Tables(methods, dict(by_file), dict(by_task))


def paper_figures() -> dict[str, dict[str, float]]:
    """Table A1 of the paper: paper task -> column -> accuracy (%)."""
    text = resources.files("coc_lsp.bench").joinpath("paper_table_a1.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    return {row["task"]: {k: float(v) for k, v in row.items() if k != "task"} for row in rows}


def _paper(figures: dict[str, dict[str, float]], task: str, method: str) -> float | None:
    column = PAPER_COLUMNS.get(method)
    return figures.get(task, {}).get(column) if column else None


def markdown(settings: dict[str, Any], data: Tables) -> str:
    figures = paper_figures()
    paper_tasks = [task for task in figures if task != PAPER_AVERAGE_ROW]
    lines = [
        "# BIG-Bench Hard: `coc bench` report",
        "",
        f"Backend: {settings.get('backend_description') or settings.get('backend')}; "
        f"{settings.get('shots')}-shot, {'cross-task' if settings.get('cross_task') else 'single-task'} exemplars; "
        f"seed {settings.get('seed')}, {_limit(settings.get('limit'))}; data: {settings.get('data')}.",
        f"Rendered {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC from results.jsonl.",
        "",
        f"Paper figures: {CITATION}. Accuracy is the normalised match (scoring.py); strict is exact match.",
        "",
        *([CROSS_TASK_NOTE, ""] if settings.get("cross_task") else []),
        "## Macro average over tasks",
        "",
        f"Over the paper's {len(paper_tasks)} tasks (logical_deduction and tracking_shuffled_objects pool their",
        "3/5/7-object files); the paper's own average is beside it, over the same tasks and over all of them.",
        "",
        "| method | tasks | questions | accuracy % | strict % | paper, same tasks % | paper, all tasks % |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for method in data.methods:
        accuracy, strict, count = data.macro(method)
        ran = [task for (task, m), cell in data.by_task.items() if m == method and cell.questions]
        same = [p for task in ran if (p := _paper(figures, task, method)) is not None]
        same_text = f"{sum(same) / len(same):.1f}" if same and len(same) == len(ran) else "-"
        lines.append(
            f"| {method} | {count} | {data.totals(method).questions} | {accuracy:.1f} | {strict:.1f} | {same_text}"
            f" | {_figure(_paper(figures, PAPER_AVERAGE_ROW, method))} |"
        )
    lines += ["", "## Accuracy per task (%, ours / paper)", ""]
    lines.append("| task | questions | " + " | ".join(data.methods) + " |")
    lines.append("| --- | ---: | " + " | ".join("---:" for _ in data.methods) + " |")
    for task in data.tasks():
        counts = {data.by_task[(task, m)].questions for m in data.methods if (task, m) in data.by_task}
        cells = []
        for method in data.methods:
            cell = data.by_task.get((task, method))
            ours = f"{cell.accuracy:.1f}" if cell and cell.questions else "-"
            cells.append(f"{ours} / {_figure(_paper(figures, task, method))}")
        lines.append(f"| {task} | {'/'.join(str(c) for c in sorted(counts))} | " + " | ".join(cells) + " |")
    lines += ["", "## Cost and failures per method", ""]
    lines.append("| method | questions | LM calls / q | tokens / q | seconds / q | " + " | ".join(FAILURE_KINDS.values()) + " |")
    lines.append("| --- | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in FAILURE_KINDS) + " |")
    for method in data.methods:
        total = data.totals(method)
        n = max(total.questions, 1)
        lines.append(
            f"| {method} | {total.questions} | {total.lm_calls / n:.2f} | {total.tokens / n:.0f} | {total.seconds / n:.2f} | "
            + " | ".join(str(total.failures[kind]) for kind in FAILURE_KINDS)
            + " |"
        )
    lines += [
        "",
        "LM calls and tokens count what this run asked of the LM (answers from the cache cost none); seconds",
        "are each question's own solve time (with `--jobs N`, N questions run at once).",
        "",
    ]
    return "\n".join(lines)


CSV_FIELDS = (
    "task", "paper_task", "method", "questions", "correct", "accuracy", "strict_correct", "strict_accuracy",
    "paper_accuracy", "lm_calls", "tokens", "seconds", "seconds_per_question", *(f"failed_{k}" for k in FAILURE_KINDS),
)  # fmt: skip


def write_csv(data: Tables, path: Path) -> None:
    figures = paper_figures()
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_FIELDS)
        rows = [(task, paper_task(task), method, cell) for (task, method), cell in sorted(data.by_file.items())]
        for task, paper, method, cell in rows:
            writer.writerow(_csv_row(task, paper, method, cell, _paper(figures, paper, method)))
        for method in data.methods:
            accuracy, strict, _ = data.macro(method)
            total = data.totals(method)
            row = _csv_row("macro_average", "", method, total, _paper(figures, PAPER_AVERAGE_ROW, method))
            row[5], row[7] = f"{accuracy:.2f}", f"{strict:.2f}"
            writer.writerow(row)


def _csv_row(task: str, paper: str, method: str, cell: Cell, figure: float | None) -> list[Any]:
    n = max(cell.questions, 1)
    return [
        task, paper, method, cell.questions, cell.correct, f"{cell.accuracy:.2f}", cell.strict, f"{cell.strict_accuracy:.2f}",
        "" if figure is None else f"{figure:g}", cell.lm_calls, cell.tokens, f"{cell.seconds:.3f}", f"{cell.seconds / n:.3f}",
        *(cell.failures[kind] for kind in FAILURE_KINDS),
    ]  # fmt: skip


def chart(data: Tables, path: Path) -> bool:
    """accuracy.png: accuracy per task and method; False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return False
    tasks = data.tasks()
    width = 0.8 / max(len(data.methods), 1)
    figure, axes = pyplot.subplots(figsize=(max(6.0, 0.6 * len(tasks) * max(len(data.methods), 1) * 0.5 + 2), 4.5))
    for number, method in enumerate(data.methods):
        values = [data.by_task[(t, method)].accuracy if (t, method) in data.by_task else 0.0 for t in tasks]
        axes.bar([i + number * width for i in range(len(tasks))], values, width, label=method)
    axes.set_xticks([i + width * (len(data.methods) - 1) / 2 for i in range(len(tasks))], tasks, rotation=40, ha="right", fontsize=8)
    axes.set_ylabel("accuracy (%)")
    axes.set_ylim(0, 100)
    axes.set_title("BIG-Bench Hard accuracy per task and method")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return True


def write_report(folder: Path) -> tuple[list[Path], str | None]:
    """Render the reports of the run in `folder`; (files written, a note when there is no chart)."""
    settings = read_settings(folder)
    data = tables(load_records(folder))
    written = [folder / "report.md", folder / "results.csv"]
    written[0].write_text(markdown(settings, data), encoding="utf-8")
    write_csv(data, written[1])
    if chart(data, folder / CHART):
        return [*written, folder / CHART], None
    return written, NO_CHART


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _limit(limit: Any) -> str:
    return "all questions" if limit is None else f"{limit} questions per task"
