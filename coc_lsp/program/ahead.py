"""Which semantic calls of a loop can be asked ahead of time: pure static reading, no I/O.

A loop (`for`, a comprehension or generator expression with one `for`, `map(f, xs)`,
`filter(f, xs)`, `sorted`/`min`/`max(xs, key=f)`) qualifies when, on every item, it calls a semantic function unconditionally
(not under `and`/`or`, a conditional expression, an `if` body, nor after a statement that may
leave the iteration early) with arguments that follow from the loop target alone: names, constants,
attributes and subscripts of them (`recipe`), where every name is the target's or one the loop
never rebinds. The executor then computes those arguments for the next items without running
program code and asks the LM for them concurrently (runtime/ahead.py); each call still takes an
answer only when its own request is the one asked ahead.
"""

from __future__ import annotations

import ast

from coc_lsp.program.sites import Pattern, Recipe

_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_LEAVING = (ast.Break, ast.Continue, ast.Return, ast.Raise)


def target_pattern(target: ast.expr) -> Pattern | None:
    """The loop target as a pattern (`s`, `(i, (a, b))`), or None for attribute, subscript and
    starred targets."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, (ast.Tuple, ast.List)):
        parts = [target_pattern(element) for element in target.elts]
        if any(part is None for part in parts):
            return None
        return tuple(parts)  # type: ignore[arg-type]
    return None


def recipe(node: ast.expr) -> Recipe | None:
    """How to compute `node` without calling anything, or None when it needs more."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return ("name", node.id)
    if isinstance(node, ast.Constant):
        return ("const", node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        return ("const", -value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(node, ast.Attribute) and not node.attr.startswith("__"):
        inner = recipe(node.value)
        return None if inner is None else ("attr", inner, node.attr)
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
        container, key = recipe(node.value), recipe(node.slice)
        return None if container is None or key is None else ("item", container, key)
    if isinstance(node, ast.Tuple) and isinstance(node.ctx, ast.Load):
        parts = [recipe(element) for element in node.elts]
        return None if any(part is None for part in parts) else ("tuple", tuple(parts))  # type: ignore[arg-type]
    return None


def recipe_names(found: Recipe) -> set[str]:
    kind = found[0]
    if kind == "name":
        return {str(found[1])}
    if kind == "attr":
        return recipe_names(found[1])  # type: ignore[arg-type]
    if kind == "item":
        return recipe_names(found[1]) | recipe_names(found[2])  # type: ignore[arg-type]
    if kind == "tuple":
        return {name for part in found[1] for name in recipe_names(part)}  # type: ignore[union-attr]
    return set()


def stored_names(nodes: list[ast.AST]) -> set[str]:
    """Every name these nodes may bind or delete, nested functions and classes included (what
    they declare `global`/`nonlocal` too): the names a loop body may rebind."""
    names: set[str] = set()
    for node in nodes:
        for current in ast.walk(node):
            if isinstance(current, ast.Name) and isinstance(current.ctx, (ast.Store, ast.Del)):
                names.add(current.id)
            elif isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(current.name)
            elif isinstance(current, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in current.names)
            elif isinstance(current, (ast.Global, ast.Nonlocal)):
                names.update(current.names)
            elif isinstance(current, ast.ExceptHandler) and current.name:
                names.add(current.name)
            elif isinstance(current, (ast.MatchAs, ast.MatchStar)) and current.name:
                names.add(current.name)
            elif isinstance(current, ast.MatchMapping) and current.rest:
                names.add(current.rest)
    return names


def expression_calls(node: ast.AST) -> list[ast.Call]:
    """The calls an expression makes every time it is evaluated, in evaluation order (inner calls
    first): not those under the right of `and`/`or`, the branches of `x if c else y`, nor inside
    lambdas and comprehensions (their own scopes)."""
    found: list[ast.Call] = []

    def walk(current: ast.AST) -> None:
        if isinstance(current, _SCOPES):
            return
        if isinstance(current, ast.BoolOp):
            walk(current.values[0])
            return
        if isinstance(current, ast.IfExp):
            walk(current.test)
            return
        for child in ast.iter_child_nodes(current):
            walk(child)
        if isinstance(current, ast.Call):
            found.append(current)

    walk(node)
    return found


def body_calls(body: list[ast.stmt]) -> list[ast.Call]:
    """The calls a loop body makes on every iteration: those of its statements' own expressions
    (an `if`'s test, not its branches), up to the first statement that may leave the iteration;
    none when the body always leaves the loop in its first iteration."""
    found: list[ast.Call] = []
    for stmt in body:
        if isinstance(stmt, (ast.Break, ast.Return, ast.Raise)):
            return []  # the loop never reaches a second item: nothing to ask ahead
        if isinstance(stmt, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)):
            found += expression_calls(stmt)
        elif isinstance(stmt, (ast.If, ast.While)):
            found += expression_calls(stmt.test)
        elif isinstance(stmt, ast.For):
            found += expression_calls(stmt.iter)
        elif isinstance(stmt, ast.With):
            for item in stmt.items:
                found += expression_calls(item.context_expr)
        elif isinstance(stmt, ast.Match):
            found += expression_calls(stmt.subject)
        if _may_leave(stmt):
            break  # what follows may not run on every iteration
    return found


def comprehension_calls(node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> list[ast.Call]:
    """The calls a one-`for` comprehension makes on every item: its first condition's, or its
    element's when it has no condition."""
    generator = node.generators[0]
    if generator.ifs:
        return expression_calls(generator.ifs[0])
    if isinstance(node, ast.DictComp):
        return expression_calls(node.key) + expression_calls(node.value)
    return expression_calls(node.elt)


def call_recipes(call: ast.Call, rebound: set[str]) -> tuple[tuple[Recipe, ...], tuple[tuple[str, Recipe], ...]] | None:
    """The argument recipes of `call` when no name they read is in `rebound` (what the loop body
    binds: a body that rebinds the target's names changes the call too); None otherwise."""
    args: list[Recipe] = []
    for arg in call.args:
        found = None if isinstance(arg, ast.Starred) else recipe(arg)
        if found is None:
            return None
        args.append(found)
    kwargs: list[tuple[str, Recipe]] = []
    for keyword in call.keywords:
        if keyword.arg == "ret_type":
            continue  # the rewrite turns it into the site's return type
        found = None if keyword.arg is None else recipe(keyword.value)
        if found is None:
            return None
        kwargs.append((keyword.arg, found))  # type: ignore[arg-type]
    names = {name for part in (*args, *(r for _, r in kwargs)) for name in recipe_names(part)}
    if names & rebound:
        return None
    return tuple(args), tuple(kwargs)


def _may_leave(stmt: ast.stmt) -> bool:
    """Can `stmt` end this iteration or the loop early (break, continue, return, raise)?"""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, _LEAVING):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return False
