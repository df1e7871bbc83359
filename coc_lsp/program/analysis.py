"""Static analysis of a hybrid program: which names it never defines, what a call should return,
which comments explain a line. Pure functions over the `ast` tree and the source lines.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator

from coc_lsp.program.parse import split_comment

MODULE_NAMES = frozenset(
    {"__name__", "__file__", "__doc__", "__builtins__", "__spec__", "__loader__", "__package__"}
)
_BOOL_PREFIXES = ("is_", "has_", "can_", "should_", "does_", "contains_", "are_", "was_", "were_")
_INT_PREFIXES = ("count_", "num_", "number_of_", "how_many_")
_TYPE_COMMENT = re.compile(r"(?:->|returns?:?|type:)\s*(?P<type>[A-Za-z_][\w\[\], .'\"|]*)")


def bound_names(tree: ast.AST) -> set[str] | None:
    """Every name the program binds anywhere, in any scope; None after `from m import *`."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
    return names


def semantic_functions(tree: ast.AST) -> set[str]:
    """Names called as functions that the program never defines and Python does not provide."""
    defined = bound_names(tree)
    if defined is None:
        return set()
    known = defined | set(dir(builtins)) | MODULE_NAMES
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in known
    }


def parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def statement_targets(stmt: ast.stmt) -> list[str] | None:
    """Names a simple statement binds, in order; None when it assigns anything but plain names."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        targets = [stmt.target]
    else:
        return []
    names: list[str] = []
    for target in targets:
        for node in _flatten(target):
            if not isinstance(node, ast.Name):
                return None
            if node.id not in names:
                names.append(node.id)
    return names


def _flatten(target: ast.expr) -> Iterator[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _flatten(element)
    else:
        yield target


def assignable_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a function may assign without changing what they refer to: its own locals
    (parameters and names it binds itself) and the names it declares global or nonlocal."""
    names = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue  # a nested scope
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return names


def changed_receivers(stmt: ast.stmt) -> list[str]:
    """Names whose objects an expression statement may change: `items.append(x)` -> ["items"]."""
    names: list[str] = []
    for node in ast.walk(stmt):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id not in names
        ):
            names.append(node.func.value.id)
    return names


def annotation_text(node: ast.expr | None) -> str | None:
    return ast.unparse(node) if node is not None else None


def call_return_type(
    call: ast.Call, parent_of: dict[ast.AST, ast.AST], comment: str
) -> str | None:
    """The type a semantic call should return, from what the program states or implies."""
    for kw in call.keywords:
        if kw.arg == "ret_type":
            value = kw.value
            return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else ast.unparse(value)
    parent = parent_of.get(call)
    if isinstance(parent, ast.AnnAssign) and parent.value is call:
        return ast.unparse(parent.annotation)
    if (m := _TYPE_COMMENT.search(comment)) is not None:
        return m["type"].strip()
    if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is call:
        return "bool"
    if isinstance(parent, (ast.BoolOp, ast.UnaryOp)) and isinstance(getattr(parent, "op", None), (ast.Not, ast.And, ast.Or)):
        return "bool"
    if isinstance(parent, ast.comprehension) and call in parent.ifs:
        return "bool"
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is call:
        return "list"
    name = call.func.id if isinstance(call.func, ast.Name) else ""
    if name.startswith(_BOOL_PREFIXES):
        return "bool"
    if name.startswith(_INT_PREFIXES):
        return "int"
    if isinstance(parent, ast.Compare):
        others = [parent.left, *parent.comparators]
        constants = [o.value for o in others if isinstance(o, ast.Constant) and o is not call]
        if constants and all(isinstance(c, str) for c in constants):
            return "str"
        if constants and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in constants):
            return "int" if all(isinstance(c, int) for c in constants) else "float"
    return None


def comment_types(targets: list[str], comment: str) -> dict[str, str]:
    """`x = ...  # -> int` gives its one target a type."""
    if len(targets) == 1 and (m := _TYPE_COMMENT.search(comment)) is not None:
        return {targets[0]: m["type"].strip()}
    return {}


def compared_labels(tree: ast.AST) -> dict[str, list[str]]:
    """For each function called by name, the string constants the program compares its result
    with (its labels): `sentiment(r) == "positive"` -> {"sentiment": ["positive"]}."""
    labels: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        called = [o.func.id for o in operands if isinstance(o, ast.Call) and isinstance(o.func, ast.Name)]
        for function in called:
            found = labels.setdefault(function, [])
            for operand in operands:
                values = operand.elts if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) else [operand]
                for value in values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value not in found:
                        found.append(value.value)
    return labels


def context_comments(lines: list[str], lineno: int, limit: int = 6) -> list[str]:
    """Comment lines directly above `lineno` (1-based), nearest last, plus its trailing comment."""
    above: list[str] = []
    i = lineno - 2
    while i >= 0 and len(above) < limit and lines[i].strip().startswith("#"):
        above.insert(0, lines[i].strip().lstrip("#").strip())
        i -= 1
    trailing = split_comment(lines[lineno - 1])[1] if 0 < lineno <= len(lines) else ""
    return [c for c in [*above, trailing] if c]
