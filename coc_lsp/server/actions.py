"""Code lens, code actions and quick fixes: commands where they apply, edits from the LM's answers.

"Solve this question with Chain of Code" (below it, or in a new file) where the selection or the
module docstring of a file that is only a question holds one (questions.py; the command is
solves.py's `coc.solve`).

Quick fixes on an emulated call or line: "Replace with the emulated value" (the call becomes the
literal it answered; a line becomes `name = value` lines) and "Define `f` as a Python function"
(a stub with the call's parameter names and the observed answers as doctest examples, inserted
before the top-level statement that first uses `f`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from lsprotocol import types as lsp

from coc_lsp.program.static import StaticAnalysis, chunk_starts
from coc_lsp.runtime.trace import Emulation
from coc_lsp.server import positions, questions
from coc_lsp.server.hover import emulations_at
from coc_lsp.server.results import RunResults

RUN, RUN_TO_LINE, REEMULATE_LINE, CLEAR_RESULTS = "coc.run", "coc.runToLine", "coc.reemulateLine", "coc.clearResults"
SOLVE = "coc.solve"
COMMANDS = (RUN, RUN_TO_LINE, REEMULATE_LINE, CLEAR_RESULTS, SOLVE)
MAX_EXAMPLES = 5


def code_lenses(uri: str, results: RunResults | None) -> list[lsp.CodeLens]:
    top = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
    lenses = [lsp.CodeLens(range=top, command=lsp.Command(title="Run as Chain of Code", command=RUN, arguments=[uri]))]
    if results is not None:
        lenses.append(
            lsp.CodeLens(range=top, command=lsp.Command(title="Clear results", command=CLEAR_RESULTS, arguments=[uri]))
        )
    return lenses


def command_actions(uri: str, line0: int, results: RunResults | None) -> list[lsp.CodeAction]:
    """The run commands as code actions for the line under the cursor (0-based `line0`)."""

    def action(title: str, name: str, *args: object) -> lsp.CodeAction:
        return lsp.CodeAction(
            title=title,
            kind=lsp.CodeActionKind.Source,
            command=lsp.Command(title=title, command=name, arguments=[uri, *args]),
        )

    actions = [
        action("Run as Chain of Code", RUN),
        action(f"Run to line {line0 + 1}", RUN_TO_LINE, line0),
    ]
    if results is not None and results.at_line(line0 + 1):
        actions.append(action(f"Re-emulate line {line0 + 1} (bypass the cache)", REEMULATE_LINE, line0))
    if results is not None:
        actions.append(action("Clear Chain of Code results", CLEAR_RESULTS))
    return actions


def solve_actions(uri: str, lines: Sequence[str], span: lsp.Range) -> list[lsp.CodeAction]:
    """"Solve this question" when the selection, or a file that is only a question, holds one."""
    found = questions.offered(lines, span)
    if found is None:
        return []
    argument: dict[str, object] = {"uri": uri}
    if found.source == "selection":
        argument["range"] = {
            "start": {"line": span.start.line, "character": span.start.character},
            "end": {"line": span.end.line, "character": span.end.character},
        }
    actions = []
    for title, target in (
        ("Solve this question with Chain of Code", "below"),
        ("Solve this question with Chain of Code (new file)", "newFile"),
    ):
        command = lsp.Command(title=title, command=SOLVE, arguments=[{**argument, "target": target}])
        actions.append(lsp.CodeAction(title=title, kind=lsp.CodeActionKind.Source, command=command))
    return actions


def quick_fixes(
    uri: str, lines: Sequence[str], results: RunResults | None, analysis: StaticAnalysis | None, at: lsp.Position
) -> list[lsp.CodeAction]:
    if results is None:
        return []
    group = emulations_at(lines, results, at)
    if not group:
        return []
    fixes = []
    if (edit := replacement_edit(lines, group)) is not None:
        fixes.append(_fix("Replace with the emulated value", uri, edit))
    first = group[0]
    if first.kind == "call" and first.function:
        edit = stub_edit(lines, results, analysis, first)
        fixes.append(_fix(f"Define `{first.function}` as a Python function", uri, edit))
    return fixes


def _fix(title: str, uri: str, edit: lsp.TextEdit) -> lsp.CodeAction:
    return lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix, edit=lsp.WorkspaceEdit(changes={uri: [edit]}))


def replacement_edit(lines: Sequence[str], group: list[Emulation]) -> lsp.TextEdit | None:
    """The edit putting the answer in place of the emulated code; None unless every run of the
    site answered the same literal."""
    first = group[0]
    if first.kind in ("call", "expression"):
        values = {e.value for e in group}
        if len(values) != 1 or not _literal(first.value):
            return None
        if first.trigger != "pseudo":
            span = positions.lsp_range(lines, first.line, first.col, first.end_line, first.end_col)
            return lsp.TextEdit(range=span, new_text=str(first.value))
        text = positions.line_text(lines, first.line)  # a pseudo header: replace its expression
        start = text.find(first.source)
        if start < 0 or not first.source:
            return None
        span = positions.lsp_range(lines, first.line, start, first.line, start + len(first.source))
        return lsp.TextEdit(range=span, new_text=str(first.value))
    answers = {tuple(sorted((e.values or {}).items())) for e in group}
    if len(answers) != 1 or not first.values or not all(_literal(v) for v in first.values.values()):
        return None
    text = positions.line_text(lines, first.line)
    indent = text[: len(text) - len(text.lstrip())]
    new_text = "\n".join(f"{indent}{name} = {value}" for name, value in first.values.items())
    end = lsp.Position(first.end_line - 1, positions.utf16_length(positions.line_text(lines, first.end_line)))
    return lsp.TextEdit(range=lsp.Range(lsp.Position(first.line - 1, 0), end), new_text=new_text)


def stub_edit(
    lines: Sequence[str], results: RunResults, analysis: StaticAnalysis | None, call: Emulation
) -> lsp.TextEdit:
    name = call.function or "f"
    calls = [e for e in results.emulations if e.kind == "call" and e.function == name]
    params = parameter_names([call.source, *(e.source for e in calls)])
    examples = []
    for emulation in calls:
        request = emulation.request
        args = [*request.args, *(f"{k}={v}" for k, v in request.kwargs.items())]
        example = f"    >>> {name}({', '.join(args)})\n    {emulation.value}\n"
        if example not in examples and '"""' not in example:
            examples.append(example)
    prefix = "r" if any("\\" in e for e in examples) else ""
    doc = f'    {prefix}"""\n' + "".join(examples[:MAX_EXAMPLES]) + '    """\n' if examples else ""
    stub = f"def {name}({', '.join(params)}):\n{doc}    raise NotImplementedError\n\n\n"
    # Without an analysis of the current text (pending, or a document too big), the uses the
    # run saw decide, and the top-level statements are found in the lines above the first one.
    findings = analysis.findings if analysis is not None else []
    uses = [f.line for f in findings if f.function == name] + [e.line for e in calls]
    first_use = min(uses) if uses else call.line
    if analysis is not None:
        starts = analysis.chunk_starts
    else:
        starts = [index + 1 for index in chunk_starts([positions.line_text(lines, n) for n in range(1, first_use + 1)])]
    line = max((s for s in starts if s <= first_use), default=1)
    where = lsp.Position(line - 1, 0)
    return lsp.TextEdit(range=lsp.Range(where, where), new_text=stub)


def parameter_names(call_sources: list[str]) -> list[str]:
    """A stub's parameters: for each argument, the name passed there when some call site passes a
    plain name, else arg0, arg1, ...; then the keyword names."""
    positional: list[str | None] = []
    keywords: list[str] = []
    for source in call_sources:
        try:
            node = ast.parse(source.strip(), mode="eval").body
        except SyntaxError:
            continue
        if not isinstance(node, ast.Call):
            continue
        for index, arg in enumerate(node.args):
            if index >= len(positional):
                positional.append(None)
            if positional[index] is None and isinstance(arg, ast.Name):
                positional[index] = arg.id
        keywords += [kw.arg for kw in node.keywords if kw.arg and kw.arg not in keywords]
    names: list[str] = []
    for index, name in enumerate(positional):
        names.append(name if name and name not in names else f"arg{index}")
    return names + [k for k in keywords if k not in names]


def _literal(value: object) -> bool:
    try:
        ast.literal_eval(str(value))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True
