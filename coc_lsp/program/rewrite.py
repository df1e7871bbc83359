"""The AST rewrite that turns a hybrid program into one CPython runs, asking the LM where needed.

`rewrite(source, filename, mode)` is pure: it returns the rewritten tree and the emulation sites;
the runtime compiles the tree against the real file path and supplies the hooks (`@coc`, found in
the program's builtins). Generated names start with `@`, which no identifier can, so they never
clash with the program's names. What each construct becomes (interweave mode):

    is_sarcastic(s)              @coc.call(SITE, s)            a semantic call: no exception
    x = f(y) + 1                 try: x = f(y) + 1
                                 except BaseException:
                                     if @coc.propagates(SITE): raise
                                     (x,) = @coc.line(SITE)
    if TEST:                     try: @v0 = TEST                (TEST could fail: a call, ...)
                                 except BaseException: ... @v0 = @coc.expr(SITE)
                                 if @v0:
    if n < limit:                unchanged when the test cannot fail (names the program binds,
                                 attributes, constants, comparisons and `not`/`and`/`or` of those)
    items.append(f(x))           ... except: (items,) = @coc.line(SITE, items): the LM gives the
                                 new value, merged into the same list (aliases see it)
    d[key(x)] += w(x)            @v0 = key(x) (guarded on its own), then the statement with
                                 `d[@v0]`: the key is computed once, the LM asked once
    raise E(...)                 raise @coc.own(E(...)): the program's own, never emulated
    import dateutil              ... except ImportError: its names become semantic functions

Statements holding `yield` are not guarded (an exception thrown into the generator must reach
it); their yielded value is. Temporaries are locals in functions; at module and class level they
are attributes of the hooks (`@coc.v0`), so that nothing generated shows in `globals()` or
`vars(cls)`. Nodes of the user's program keep their exact positions; generated nodes take the
position of the statement they stand for, and except-handler nodes take line -1, so that failing
and being emulated emits no second line event and a debugger's `next` steps over it once.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from coc_lsp.program import ahead, analysis
from coc_lsp.program.parse import PLACEHOLDER, ParsedProgram, PseudoLine, split_comment, tolerant_parse
from coc_lsp.program.sites import HOOKS, AheadCall, AheadPlan, Binding, Pattern, Site, SiteKind, Trigger, Use

HANDLER_LINE = -1
Mode = Literal["interweave", "lm"]
_PRINT_WORDS = ("print", "show", "display", "output", "say")
_Position = tuple[int, int, int | None, int | None]
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Exceptions that are a protocol's signal inside these methods: CPython (or a caller's
# getattr/hasattr, Mapping.get, ...) catches them, so they are never the LM's business there.
_SIGNALS = {
    "__getitem__": ("IndexError", "KeyError"),
    "__missing__": ("KeyError",),
    "__getattr__": ("AttributeError",),
    "__getattribute__": ("AttributeError",),
    "__next__": ("StopIteration",),
    "__anext__": ("StopAsyncIteration",),
}
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "getter"})
_PRINT_KEYWORDS = frozenset({"end", "file", "flush"})
# Builtins that fail only on a wrong program (a type error), never on a value an LM could mend.
_TOTAL_BUILTINS = frozenset(
    {"len", "isinstance", "issubclass", "type", "id", "bool", "str", "repr", "abs", "min", "max", "sum", "sorted",
     "reversed", "range", "enumerate", "zip", "list", "tuple", "set", "frozenset", "dict", "all", "any", "hash",
     "callable", "round", "divmod", "pow", "ord", "chr", "hasattr", "getattr", "iter", "map", "filter"}
)


@dataclass
class RewrittenProgram:
    parsed: ParsedProgram
    tree: ast.Module | None  # None once compiled (`release_tree`): nothing keeps it alive
    sites: list[Site]
    filename: str
    # For each line inside a `try` body (or a `with suppress(...)`, or a protocol method): the
    # types of the handlers that enclose it in the same frame, innermost first, as the program's
    # own source text (None for a bare `except:`). `propagates()` evaluates them (compiled once,
    # when first needed) to see if a frame handles an exception.
    handlers: dict[int, tuple[str | None, ...]] = field(default_factory=dict)
    semantic: frozenset[str] = frozenset()
    # Lines of `assert` statements: the AssertionError raised there is the program's own.
    assert_lines: frozenset[int] = frozenset()
    # Loops whose semantic calls may be asked ahead (`@coc.ahead(PLAN, ITERABLE)`), by id.
    plans: list[AheadPlan] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.parsed.source

    def release_tree(self) -> None:
        """Drop the trees once compiled: tens of thousands of nodes the collector would otherwise
        walk for the whole run."""
        self.tree = None
        self.parsed.tree = None  # type: ignore[assignment]


def rewrite(source: str, filename: str, mode: Mode = "interweave", record_values: bool = False) -> RewrittenProgram:
    """`record_values`: after each assignment Python runs, `@coc.record(site)` reports the values
    it bound (the editor's hints for Python-run lines)."""
    parsed = tolerant_parse(source, filename)
    return _Rewriter(parsed, filename, mode, record_values).run()


# -- generated nodes ------------------------------------------------------------------------------


def _hooks() -> ast.Name:
    return ast.Name(HOOKS, ast.Load())


def _hook(method: str, site: int, *args: ast.expr, keywords: Iterable[ast.keyword] = ()) -> ast.Call:
    return ast.Call(ast.Attribute(_hooks(), method, ast.Load()), [ast.Constant(site), *args], list(keywords))


def _position(like: ast.AST | PseudoLine | _Position) -> _Position:
    """Where generated nodes standing for `like` sit. For a statement, its first line only:
    CPython places an attribute access at its node's *end* line, and the end of a compound
    statement is the end of its body (a temporary `@coc.v0` there would run on the wrong line)."""
    if isinstance(like, tuple):
        return like
    if isinstance(like, PseudoLine):
        return (like.lineno, 0, like.lineno, 0)
    if isinstance(like, ast.stmt):
        return (like.lineno, like.col_offset, like.lineno, like.col_offset)
    return (like.lineno, like.col_offset, like.end_lineno, like.end_col_offset)  # type: ignore[attr-defined]


def _located(node: ast.AST, like: ast.AST | PseudoLine | _Position) -> ast.AST:
    """Give the generated nodes of `node` (those without a position) the position of `like`;
    the user's nodes inside keep theirs and are not walked."""
    line, col, end_line, end_col = _position(like)
    stack = [node]
    while stack:
        current = stack.pop()
        if "lineno" in current._attributes:
            if hasattr(current, "lineno"):
                continue
            current.lineno, current.col_offset = line, col  # type: ignore[attr-defined]
            current.end_lineno, current.end_col_offset = end_line, end_col  # type: ignore[attr-defined]
        stack.extend(_children(current))
    return node


def _after_guard(stmt: ast.stmt, pre: list[ast.stmt]) -> ast.stmt:
    """The statement that uses a guarded header value, at line -1 when there is a guard: after an
    emulation (the handler has no line either) its line would start again, and a debugger would
    stop on it twice. Its body keeps its lines. (A `for` keeps its line: each iteration is a stop
    on it, as in Python; a failing iterable is the one header that costs a second stop.)"""
    if pre:
        stmt.lineno = stmt.end_lineno = HANDLER_LINE
        stmt.col_offset = stmt.end_col_offset = 0
    return stmt


def _children(node: ast.AST) -> list[ast.AST]:
    """ast.iter_child_nodes, as a list, without its generator overhead (the rewrite's hot path)."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            found.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


def _hidden(nodes: list[ast.AST]) -> None:
    """Line -1 for every node: executing them emits no line event."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if "lineno" in node._attributes:
            node.lineno = node.end_lineno = HANDLER_LINE  # type: ignore[attr-defined]
            node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        stack.extend(_children(node))


def _clone(node: ast.AST) -> ast.AST:
    """A deep copy of an expression (copy.deepcopy is several times slower on ASTs)."""
    fields = {}
    for name in node._fields:
        value = getattr(node, name, None)
        if value.__class__ is list:
            fields[name] = [_clone(item) if isinstance(item, ast.AST) else item for item in value]
        else:
            fields[name] = _clone(value) if isinstance(value, ast.AST) else value
    copied = type(node)(**fields)
    for name in node._attributes:
        if hasattr(node, name):
            setattr(copied, name, getattr(node, name))
    return copied


def _as_store(node: ast.expr) -> ast.expr:
    """A copy of a target expression in Store context (its inner parts stay loads)."""
    copied = _clone(node)
    copied.ctx = ast.Store()  # type: ignore[attr-defined]
    return copied


def _is_hook_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == HOOKS
    )


def _is_placeholder(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Name) and node.id == PLACEHOLDER


def _contains_yield(node: ast.AST) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(current, (ast.Lambda, *_FUNCTIONS, ast.ClassDef)):
            stack.extend(_children(current))
    return False


def _literal(node: ast.expr) -> bool:
    """A constant or a display of constants (`0`, `'a'`, `[]`, `(1, 2)`, `{}`)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(element) for element in node.elts)
    if isinstance(node, ast.Dict):
        return all(key is not None and _literal(key) and _literal(value) for key, value in zip(node.keys, node.values, strict=True))
    return False


def _pure(node: ast.expr) -> bool:
    """Can `node` be evaluated again without side effects (names, attributes and subscripts of
    those, constants)? Such target parts are re-evaluated by an emulated statement."""
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, ast.Attribute):
        return _pure(node.value)
    if isinstance(node, ast.Subscript):
        return _pure(node.value) and _pure(node.slice)
    if isinstance(node, ast.Slice):
        return all(part is None or _pure(part) for part in (node.lower, node.upper, node.step))
    if isinstance(node, ast.Tuple):
        return all(_pure(element) for element in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _pure(node.operand)
    return False


@dataclass
class _HandlerGroup:
    """Exception types the program handles around a block (a `try`'s handlers, a
    `with suppress(...)`, a protocol method's signals): the expressions, which guards inside
    re-raise before asking the hooks (`hidden`: one copy at line -1, shared by those guards), and
    their source text, for `propagates()`."""

    types: list[ast.expr | None]  # None: a bare `except:`
    texts: tuple[str | None, ...]
    kind: str = "try"  # try, suppress, protocol
    hidden: list[ast.expr] = field(default_factory=list)


@dataclass
class _Scope:
    """A function, class or the module being rewritten, with the handler groups open in it."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None
    groups: list[_HandlerGroup] = field(default_factory=list)

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, _FUNCTIONS)


@dataclass
class _Target:
    """One thing a line site gives a value for: its text (the answer's key), how the value reaches
    the program, and the target expression (stored to, or passed in as the current value)."""

    text: str
    binding: Binding
    node: ast.expr | None = None


class _Rewriter:
    """Rewrites one parsed program; `run()` returns the RewrittenProgram.

    State: `parsed`/`lines`/`filename`/`mode` (inputs); `usage` and `semantic` (the analysis: which
    names are semantic functions); `sites` (built in source order of the walk; a site's id is its
    index); `scopes` (the module, class and function scopes being rewritten, innermost last, each
    with its open handler groups); `handlers` (the per-line handler types of the result).
    """

    def __init__(self, parsed: ParsedProgram, filename: str, mode: Mode, record_values: bool) -> None:
        self.parsed = parsed
        self.lines = parsed.lines
        self.filename = filename
        self.mode = mode
        self.record_values = record_values
        self.usage = analysis.analyse_names(parsed.tree, self.lines)
        self.semantic = analysis.semantic_functions(self.usage)
        self.sites: list[Site] = []
        self.scopes: list[_Scope] = [_Scope(None)]
        self.handlers: dict[int, tuple[str | None, ...]] = {}
        self.assert_lines: set[int] = set()
        self.plans: list[AheadPlan] = []
        self.call_sites: dict[int, int] = {}  # id of a semantic call (or name passed) -> its site
        self.trigger: Trigger = "lm-mode" if mode == "lm" else "exception"
        # Lines where a semantic name is used or a pseudo line sits: only statements touching one
        # have expressions to rewrite.
        self.lines_to_rewrite = set(parsed.pseudo)
        for use in self.usage.function_uses:
            if use.name in self.semantic:
                self.lines_to_rewrite.update(range(use.line, use.end_line + 1))

    def run(self) -> RewrittenProgram:
        tree = self.parsed.tree
        tree.body = self.body(tree.body)
        return RewrittenProgram(
            self.parsed,
            tree,
            self.sites,
            self.filename,
            self.handlers,
            frozenset(self.semantic),
            frozenset(self.assert_lines),
            self.plans,
        )

    # -- sites ----------------------------------------------------------------------------------

    def span(self, node: ast.AST | PseudoLine) -> tuple[int, int, int, int]:
        """(line, col, end_line, end_col), columns in characters."""
        if isinstance(node, PseudoLine):
            return (node.lineno, node.col, node.lineno, node.end_col)
        line, end_line = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return (
            line,
            analysis.char_col(self.line_text(line), node.col_offset),  # type: ignore[attr-defined]
            end_line,
            analysis.char_col(self.line_text(end_line), node.end_col_offset or 0),  # type: ignore[attr-defined]
        )

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def text(self, node: ast.AST) -> str:
        line, col, end_line, end_col = self.span(node)
        if not 0 < line <= end_line <= len(self.lines):
            return ast.unparse(node)
        chunk = self.lines[line - 1 : end_line]
        if len(chunk) == 1:
            return chunk[0][col:end_col]
        return "\n".join([chunk[0][col:], *chunk[1:-1], chunk[-1][:end_col]])

    def site(self, kind: SiteKind, trigger: Trigger, node: ast.AST | PseudoLine, **extra: object) -> int:
        line, col, end_line, end_col = self.span(node)
        context = analysis.context_comments(self.lines, line)
        if (docstring := self.docstring()) and docstring not in context:
            context.insert(0, docstring)
        extra.setdefault("source", node.text if isinstance(node, PseudoLine) else self.text(node))
        site = Site(
            id=len(self.sites),
            kind=kind,
            trigger=trigger,
            line=line,
            col=col,
            end_line=end_line,
            end_col=end_col,
            context=tuple(context),
            scope=".".join(s.node.name for s in self.scopes if s.node is not None) or "<module>",
            **extra,  # type: ignore[arg-type]
        )
        self.sites.append(site)
        return site.id

    def line_site(self, trigger: Trigger, node: ast.AST | PseudoLine, targets: list[_Target], types: dict[str, str], kind: SiteKind = "line") -> int:
        return self.site(
            kind,
            trigger,
            node,
            targets=tuple(t.text for t in targets),
            bindings=tuple(t.binding for t in targets),
            target_types=types,
        )

    def docstring(self) -> str | None:
        for scope in reversed(self.scopes):
            if isinstance(scope.node, _FUNCTIONS):
                doc = ast.get_docstring(scope.node)
                return doc.strip() if doc else None
        return None

    def return_annotation(self) -> str | None:
        for scope in reversed(self.scopes):
            if isinstance(scope.node, _FUNCTIONS):
                return ast.unparse(scope.node.returns) if scope.node.returns is not None else None
        return None

    # -- names and temporaries ----------------------------------------------------------------------

    @property
    def scope(self) -> _Scope:
        return self.scopes[-1]

    def assignable(self, name: str) -> bool:
        """Can generated code assign `name` here without making it a new local (which would
        break the function's other uses of a global or enclosing name)?"""
        scope = self.scope
        if not scope.is_function:
            return True
        return name in self.usage.assignable.get(id(scope.node), ())

    def name_target(self, name: str, node: ast.expr | None = None) -> _Target | None:
        """How a line's answer for `name` reaches the program here, or None when it cannot."""
        if self.assignable(name):
            return _Target(name, "name", node or ast.Name(name, ast.Load()))
        if name in self.usage.module_bound:
            return _Target(name, "global", node or ast.Name(name, ast.Load()))
        return None

    def name_error_caught(self) -> bool:
        """Is the statement being rewritten in a `try` body of this scope whose handlers catch a
        NameError? Then the program expects an undefined name to fail: it is not semantic there."""
        return any(analysis.catches_name_error(group.types) for group in self.scope.groups if group.kind == "try")

    def yields(self, node: ast.expr) -> bool:
        """Does `node` hold a `yield` (only possible in a generator function)?"""
        return id(self.scope.node) in self.usage.generators and _contains_yield(node)

    def walrus_targets(self, node: ast.AST) -> list[str]:
        return analysis.walrus_targets(node) if self.usage.has_walrus else []

    def temp(self, index: int, ctx: ast.expr_context) -> ast.expr:
        """Temporary number `index`: a local in functions, an attribute of the hooks elsewhere."""
        if self.scope.is_function:
            return ast.Name(f"@v{index}", ctx)
        return ast.Attribute(_hooks(), f"v{index}", ctx)

    # -- statements ------------------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            self.note_handlers(stmt)
            pseudo = self.parsed.pseudo.get(stmt.lineno)
            if pseudo is not None and self.is_placeholder_stmt(stmt, pseudo):
                out.extend(_located(s, stmt) for s in self.pseudo_stmt(stmt, pseudo))  # type: ignore[misc]
                continue
            if not isinstance(stmt, (*_FUNCTIONS, ast.ClassDef, ast.Raise)):
                self.expressions(stmt)
            visit = getattr(self, f"visit_{type(stmt).__name__}", None)
            out.extend(visit(stmt) if visit is not None else [stmt])
        return out  # as many statements as came in, or more: a body never ends up empty

    def note_handlers(self, stmt: ast.stmt) -> None:
        """Record the handler groups covering the lines of `stmt`'s own header (its body's lines
        are recorded when they are rewritten)."""
        groups = self.scope.groups
        if not groups or isinstance(stmt, (*_FUNCTIONS, ast.ClassDef)):
            return
        covering = tuple(text for group in reversed(groups) for text in group.texts)
        body = getattr(stmt, "body", None)
        last = body[0].lineno - 1 if body else (stmt.end_lineno or stmt.lineno)
        for line in range(stmt.lineno, max(last, stmt.lineno) + 1):
            self.handlers.setdefault(line, covering)

    def optional_body(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        return self.body(stmts) if stmts else []

    def visit_FunctionDef(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
        self.expressions(stmt)
        scope = _Scope(stmt)
        signals = _SIGNALS.get(stmt.name, ())
        if any(_decorator_name(d) in _PROPERTY_DECORATORS for d in stmt.decorator_list):
            signals = ("AttributeError",)
        if signals:
            scope.groups.append(self.group([ast.Name(name, ast.Load()) for name in signals], stmt, "protocol"))
        self.scopes.append(scope)
        stmt.body = self.body(stmt.body)
        self.scopes.pop()
        return [stmt]

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, stmt: ast.ClassDef) -> list[ast.stmt]:
        self.expressions(stmt)
        self.scopes.append(_Scope(stmt))
        stmt.body = self.body(stmt.body)
        self.scopes.pop()
        return [stmt]

    def group(self, types: list[ast.expr | None], at: ast.AST, kind: str = "try") -> _HandlerGroup:
        texts: list[str | None] = []
        hidden: list[ast.expr] = []
        for kind in types:
            if kind is None:
                texts.append(None)
                continue
            texts.append(ast.unparse(kind))
            for element in kind.elts if isinstance(kind, ast.Tuple) else [kind]:
                hidden.append(_clone(element))
        _hidden(hidden)  # type: ignore[arg-type]
        return _HandlerGroup(types, tuple(texts), kind, hidden)

    def visit_Try(self, stmt: ast.Try | ast.TryStar) -> list[ast.stmt]:
        for handler in stmt.handlers:
            if handler.type is not None:
                handler.type = _Expressions(self, stmt).visit(handler.type)  # type: ignore[assignment]
        self.scope.groups.append(self.group([handler.type for handler in stmt.handlers], stmt))
        stmt.body = self.body(stmt.body)
        self.scope.groups.pop()
        for handler in stmt.handlers:
            handler.body = self.body(handler.body)
        stmt.orelse = self.optional_body(stmt.orelse)
        stmt.finalbody = self.optional_body(stmt.finalbody)
        return [stmt]

    visit_TryStar = visit_Try

    def visit_If(self, stmt: ast.If) -> list[ast.stmt]:
        pre, stmt.test = self.slot(stmt.test, "bool", stmt)
        stmt.body, stmt.orelse = self.body(stmt.body), self.optional_body(stmt.orelse)
        return [*pre, _after_guard(stmt, pre)]

    def visit_While(self, stmt: ast.While) -> list[ast.stmt]:
        """`while TEST: body else: rest` -> `while True: @v0 = TEST (guarded); if not @v0: rest;
        break` when TEST could fail."""
        stmt.body = self.body(stmt.body)
        stmt.orelse = self.optional_body(stmt.orelse)
        if self.mode == "interweave" and (self.cannot_fail(stmt.test) or _leaves_loop(stmt.orelse)):
            return [stmt]  # (moving `else` into the loop would retarget its break/continue)
        pre, test = self.slot(stmt.test, "bool", stmt)
        if not pre:
            stmt.test = test
            return [stmt]
        done = ast.UnaryOp(ast.Not(), test)
        _hidden([done])
        stop = ast.Break()
        _hidden([stop])
        exit_ = ast.If(done, [*stmt.orelse, stop], [])
        forever = ast.Constant(True)
        _hidden([forever])
        loop = ast.While(forever, [*pre, _after_guard(exit_, pre), *stmt.body], [])
        return [_after_guard(loop, pre)]

    def visit_For(self, stmt: ast.For | ast.AsyncFor) -> list[ast.stmt]:
        use: Use = "async-iterable" if isinstance(stmt, ast.AsyncFor) else "value"
        plans = isinstance(stmt, ast.For) and self.mode == "interweave" and self.touches_semantic(stmt.body)
        pattern = ahead.target_pattern(stmt.target) if plans else None
        calls = ahead.body_calls(stmt.body) if pattern is not None else []
        rebound = ahead.stored_names(stmt.body) if calls else set()  # read before the body is rewritten
        wrap = "enumerate" if _is_enumerate(stmt.iter, self.usage.bound) else None
        pre, stmt.iter = self.slot(stmt.iter, "list", stmt, use=use)
        stmt.body, stmt.orelse = self.body(stmt.body), self.optional_body(stmt.orelse)
        if calls and pattern is not None:
            if wrap is not None and isinstance(stmt.iter, ast.Call):
                stmt.iter.args[0] = self.ahead(pattern, calls, rebound, stmt.iter.args[0], stmt, wrap)
            elif wrap is None:
                stmt.iter = self.ahead(pattern, calls, rebound, stmt.iter, stmt)
        return [*pre, stmt]

    def touches_semantic(self, body: list[ast.stmt]) -> bool:
        """Does any line of `body` use a semantic function? (A cheap test before reading it.)"""
        if not self.semantic or not body:
            return False
        end = body[-1].end_lineno or body[-1].lineno
        return any(line in self.lines_to_rewrite for line in range(body[0].lineno, end + 1))

    def ahead(
        self, pattern: Pattern, calls: list[ast.Call], rebound: set[str], iterable: ast.expr, at: ast.AST, wrap: str | None = None
    ) -> ast.expr:
        """`@coc.ahead(PLAN, ITERABLE)` for the calls of `calls` that became semantic call sites
        and whose arguments follow from the item; ITERABLE as it was when none does. Callers plan
        only in interweave mode."""
        planned = []
        for call in calls:
            site = self.call_sites.get(id(call))
            found = ahead.call_recipes(call, rebound) if site is not None else None
            if site is not None and found is not None:
                planned.append(AheadCall(site, *found))
        if not planned:
            return iterable
        plan = AheadPlan(len(self.plans), self.span(at)[0], pattern, tuple(planned), wrap)
        self.plans.append(plan)
        return _located(_hook("ahead", plan.id, iterable), _position(at) if isinstance(at, ast.stmt) else iterable)  # type: ignore[return-value]

    visit_AsyncFor = visit_For

    def visit_With(self, stmt: ast.With | ast.AsyncWith) -> list[ast.stmt]:
        use: Use = "async-context" if isinstance(stmt, ast.AsyncWith) else "context"
        suppressed = [arg for item in stmt.items for arg in _suppressed(item.context_expr)]
        pre: list[ast.stmt] = []
        for index, item in enumerate(stmt.items):
            slot, item.context_expr = self.slot(item.context_expr, None, stmt, use=use, index=index)
            pre += slot
        if suppressed:
            self.scope.groups.append(self.group(list(suppressed), stmt, "suppress"))
        stmt.body = self.body(stmt.body)
        if suppressed:
            self.scope.groups.pop()
        return [*pre, stmt]

    visit_AsyncWith = visit_With

    def visit_Match(self, stmt: ast.Match) -> list[ast.stmt]:
        pre, stmt.subject = self.slot(stmt.subject, None, stmt)
        for case in stmt.cases:
            case.body = self.body(case.body)
        return [*pre, _after_guard(stmt, pre)]

    def visit_Assert(self, stmt: ast.Assert) -> list[ast.stmt]:
        """The test is guarded like a header's; the AssertionError an assert raises is the
        program's own (its lines are recorded for `propagates()`), and `python -O` removes it."""
        self.assert_lines.add(stmt.lineno)
        pre, stmt.test = self.slot(stmt.test, "bool", stmt)
        return [*pre, stmt]

    def visit_Return(self, stmt: ast.Return) -> list[ast.stmt]:
        if stmt.value is None or self.yields(stmt.value):
            return [stmt]
        if self.mode == "lm":
            pre, stmt.value = self.slot(stmt.value, self.return_annotation(), stmt)
            return [*pre, stmt]
        if self.cannot_fail(stmt.value):
            return [stmt]
        # `try: return VALUE / except: ... return @coc.expr(SITE)`: no temporary, one line event.
        site = self.site("expression", self.trigger, stmt.value, returns=self.return_annotation())
        return self.guard([stmt], [ast.Return(_hook("expr", site))], site, stmt)

    def visit_Raise(self, stmt: ast.Raise) -> list[ast.stmt]:
        self.expressions(stmt)
        if stmt.exc is None:  # a bare re-raise: the exception being handled becomes the program's
            mark = ast.Expr(ast.Call(ast.Attribute(_hooks(), "own_active", ast.Load()), [], []))
            _hidden([mark])
            return [mark, stmt]
        stmt.exc = self.own(stmt.exc)
        return [stmt]

    def own(self, exc: ast.expr) -> ast.expr:
        call = ast.Call(ast.Attribute(_hooks(), "own", ast.Load()), [exc], [])
        return _located(call, exc) if hasattr(exc, "lineno") else call  # type: ignore[return-value]

    def visit_Import(self, stmt: ast.Import | ast.ImportFrom) -> list[ast.stmt]:
        """An import whose module is not installed binds semantic functions instead."""
        if any(alias.name == "*" for alias in stmt.names) or getattr(stmt, "module", None) == "__future__":
            return [stmt]  # `from __future__` must stay first, and cannot fail at run time
        module = "." * getattr(stmt, "level", 0) + (getattr(stmt, "module", None) or "")
        targets, imported = [], []
        for alias in stmt.names:
            bound = alias.asname or alias.name.split(".")[0]
            if isinstance(stmt, ast.ImportFrom):
                imported.append(f"{module}.{alias.name}" if module.strip(".") else f"{module}{alias.name}")
            else:
                imported.append(alias.name if alias.asname else bound)
            targets.append(bound)
        site = self.site(
            "call",
            "missing-module",
            stmt,
            targets=tuple(targets),
            bindings=("name",) * len(targets),
            imported=tuple(imported),
            function=module or None,
        )
        store = ast.Tuple([ast.Name(name, ast.Store()) for name in targets], ast.Store())
        missing = ast.Assign([store], _hook("missing", site))
        return self.guard([stmt], [missing], site, stmt, catch="ImportError")

    visit_ImportFrom = visit_Import

    def visit_Delete(self, stmt: ast.Delete) -> list[ast.stmt]:
        receivers = [t.value for t in stmt.targets if isinstance(t, (ast.Subscript, ast.Attribute)) and _pure(t.value)]
        if not receivers or self.mode == "lm":
            return [stmt]
        targets = self.receiver_targets(receivers)
        site = self.line_site(self.trigger, stmt, targets, {})
        return self.guard([stmt], self.apply(site, targets), site, stmt)

    def visit_Expr(self, stmt: ast.Expr) -> list[ast.stmt]:
        value = stmt.value
        if isinstance(value, ast.Constant) or self.mode == "lm":
            return [stmt]  # a docstring cannot fail; calls run in Python in lm mode too
        if isinstance(value, (ast.Yield, ast.YieldFrom)):
            if value.value is None:
                return [stmt]
            pre, value.value = self.slot(value.value, None, stmt)
            return [*pre, stmt]
        if self.yields(value) or self.cannot_fail(value):
            return [stmt]
        if _is_print(value, self.usage.bound):
            assert isinstance(value, ast.Call)
            site = self.site("expression", self.trigger, stmt, returns="str")
            keywords = [_clone(k) for k in value.keywords if k.arg in _PRINT_KEYWORDS]
            emulated = ast.Expr(ast.Call(ast.Name("print", ast.Load()), [_hook("expr", site)], keywords))
            return self.guard([stmt], [emulated], site, stmt)
        call = value.value if isinstance(value, ast.Await) else value
        receivers = [call.func.value] if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) else []
        targets = self.receiver_targets(receivers)
        targets += [t for name in self.walrus_targets(value) if (t := self.name_target(name)) is not None]
        site = self.line_site(self.trigger, stmt, targets, {})
        return self.guard([stmt], self.apply(site, targets), site, stmt)

    def receiver_targets(self, receivers: list[ast.expr]) -> list[_Target]:
        """The objects a statement changes: merged in place, or set as module globals."""
        targets: list[_Target] = []
        for receiver in receivers:
            root = receiver
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if not (isinstance(root, ast.Name) and _pure(receiver)) or root.id in self.usage.imported:
                continue  # a module (`os.remove(p)`), a literal (`"".join(xs)`), a call result
            text = self.text(receiver)
            if any(t.text == text for t in targets):
                continue
            if isinstance(receiver, ast.Name):
                if (target := self.name_target(receiver.id, receiver)) is not None:
                    targets.append(_Target(text, "merge" if target.binding == "name" else "global", receiver))
            else:
                targets.append(_Target(text, "merge", receiver))
        return targets

    def visit_Assign(self, stmt: ast.Assign | ast.AnnAssign) -> list[ast.stmt]:
        targets_nodes = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if stmt.value is None:
            return [stmt]
        if self.yields(stmt.value):
            if isinstance(stmt.value, (ast.Yield, ast.YieldFrom)) and stmt.value.value is not None:
                pre, stmt.value.value = self.slot(stmt.value.value, None, stmt)
                return [*pre, stmt]
            return [stmt]
        singles = [single for target in targets_nodes for single in analysis.flatten_targets(target)]
        comment = split_comment(self.line_text(stmt.lineno))[1]
        annotation = ast.unparse(stmt.annotation) if isinstance(stmt, ast.AnnAssign) else None
        if all(isinstance(single, ast.Name) for single in singles):
            names = list(dict.fromkeys([s.id for s in singles] + self.walrus_targets(stmt.value)))  # type: ignore[attr-defined]
            targets = [t for name in names if (t := self.name_target(name)) is not None]
            types = analysis.comment_types(names, comment)
            if annotation is not None and isinstance(stmt.target, ast.Name):  # type: ignore[union-attr]
                types[stmt.target.id] = annotation  # type: ignore[union-attr]
            return self.simple(stmt, targets, types)
        # Targets through attributes or subscripts: the LM gives the value, Python assigns it.
        if all(_pure(s) for s in singles):
            if self.mode == "lm":
                pre, stmt.value = self.slot(stmt.value, annotation, stmt)
                return [*pre, stmt]
            site = self.site("expression", self.trigger, stmt.value, returns=annotation)
            emulated = ast.Assign([_clone(t) for t in targets_nodes], _hook("expr", site))
            return self.guard([stmt], [emulated], site, stmt)
        pre, stmt.value = self.slot(stmt.value, annotation, stmt, force=True)  # Python's order: value, targets
        for index, single in enumerate(singles, start=1):
            pre += self.hoist_parts(single, stmt, index * 10)
        return [*pre, stmt]

    visit_AnnAssign = visit_Assign

    def visit_AugAssign(self, stmt: ast.AugAssign) -> list[ast.stmt]:
        target = stmt.target
        if isinstance(target, ast.Name):
            found = self.name_target(target.id)
            targets = [found] if found is not None else []
        else:
            pre = self.hoist_parts(target, stmt, 0)
            targets = [_Target(self.text(target), "store", target)]
            return [*pre, *self.simple(stmt, targets, {})]
        return self.simple(stmt, targets, {})

    def hoist_parts(self, target: ast.expr, at: ast.stmt, first_temp: int) -> list[ast.stmt]:
        """Compute the parts of an attribute/subscript target that are not pure (calls...) into
        temporaries, each guarded on its own, so that an emulated statement never evaluates them
        again: `d[key(x)] += 1` -> `@v0 = key(x)` then `d[@v0] += 1`."""
        pre: list[ast.stmt] = []
        index = first_temp
        fields = ("value", "slice") if isinstance(target, ast.Subscript) else ("value",) if isinstance(target, ast.Attribute) else ()
        for name in fields:
            part = getattr(target, name)
            if _pure(part):
                continue
            slot, new = self.slot(part, None, at, index=index, force=True)
            index += 1
            pre += slot
            setattr(target, name, new)
        return pre

    def simple(self, stmt: ast.stmt, targets: list[_Target], types: dict[str, str]) -> list[ast.stmt]:
        """Guard an assignment whose answer comes as values of `targets`."""
        if isinstance(stmt, ast.Assign) and _literal(stmt.value) and self.mode == "interweave" and not self.record_values:
            return [stmt]  # `total = 0` cannot fail: no site, no guard
        site = self.line_site(self.trigger, stmt, targets, types)
        emulated = self.apply(site, targets)
        if self.mode == "lm":
            return [_located(s, stmt) for s in emulated]  # type: ignore[misc]
        body: list[ast.stmt] = [stmt]
        if self.record_values and targets and all(t.binding == "name" for t in targets) and not self.has_hook_call(stmt):
            record = ast.Expr(_hook("record", site))
            _hidden([record])
            body.append(record)
        return self.guard(body, emulated, site, stmt)

    def apply(self, site: int, targets: list[_Target]) -> list[ast.stmt]:
        """`(t1, t2) = @coc.line(SITE, <current values of merged targets>)`: the hooks merge in
        place and set globals themselves, and return the values Python stores. Names are read by
        the hooks from the frame; other merged targets (`self.items`) are passed in."""
        currents = [_clone(t.node) for t in targets if t.binding == "merge" and not isinstance(t.node, ast.Name)]
        call = _hook("line", site, *currents)
        stored = [t for t in targets if t.binding != "global" and t.node is not None]
        if not stored:
            return [ast.Expr(call)]
        store = ast.Tuple([_as_store(t.node) for t in stored], ast.Store())  # type: ignore[arg-type]
        return [ast.Assign([store], call)]

    def has_hook_call(self, stmt: ast.stmt) -> bool:
        return any(_is_hook_call(node) for node in ast.walk(stmt))

    def guard(
        self, body: list[ast.stmt], emulate: list[ast.stmt], site: int, at: ast.stmt, catch: str = "BaseException"
    ) -> list[ast.stmt]:
        """try: body / except BaseException: if @coc.propagates(site): raise / emulate

        Inside the program's own `try` bodies (and `with suppress(...)`, protocol methods), a first
        handler re-raises what the program handles, so its exceptions cost no call into the hooks."""
        groups = self.scope.groups
        if any(None in group.types for group in groups):
            return [_located(stmt, at) for stmt in body]  # type: ignore[misc]  # a bare `except:` catches everything first
        handlers = []
        if groups:
            caught = ast.Tuple([kind for group in reversed(groups) for kind in group.hidden], ast.Load())
            reraise = ast.ExceptHandler(caught, None, [ast.Raise()])
            _hidden([reraise.body[0]])
            reraise.lineno = reraise.end_lineno = caught.lineno = caught.end_lineno = HANDLER_LINE  # type: ignore[attr-defined]
            reraise.col_offset = reraise.end_col_offset = caught.col_offset = caught.end_col_offset = 0  # type: ignore[attr-defined]
            handlers.append(reraise)
        check = ast.If(_hook("propagates", site), [ast.Raise()], [])
        handler = ast.ExceptHandler(ast.Name(catch, ast.Load()), None, [check, *emulate])
        _hidden([handler])
        handlers.append(handler)
        return [_located(ast.Try(body, handlers, [], []), at)]  # type: ignore[list-item]

    def slot(
        self,
        expr: ast.expr,
        returns: str | None,
        at: ast.stmt,
        *,
        use: Use = "value",
        index: int = 0,
        force: bool = False,
    ) -> tuple[list[ast.stmt], ast.expr]:
        """Guard the header expression `expr`: (statements computing it into a temporary, the
        expression to use instead). Nothing to do when it cannot fail (unless `force`)."""
        if _is_hook_call(expr) and self.mode == "interweave" and not force:
            return [], expr
        if self.mode == "interweave" and not force and self.cannot_fail(expr):
            return [], expr
        walrus = self.walrus_targets(expr)
        if walrus:  # the answer gives the walrus targets too: `(n := f(x)) > 3`
            targets = [t for name in walrus if (t := self.name_target(name)) is not None]
            value = _Target(self.text(expr), "store", self.temp(index, ast.Load()))
            site = self.line_site(self.trigger, expr, [*targets, value], {value.text: returns} if returns else {})
        else:
            site = self.site("expression", self.trigger, expr, returns=returns, use=use)
        if self.mode == "lm":
            if walrus:
                return [_located(s, at) for s in self.apply(site, [*targets, value])], _located(self.temp(index, ast.Load()), expr)  # type: ignore[misc, return-value]
            return [], _located(_hook("expr", site), expr)  # type: ignore[return-value]
        compute = ast.Assign([self.temp(index, ast.Store())], expr)
        if walrus:
            emulate = self.apply(site, [*targets, value])
        else:
            emulate = [ast.Assign([self.temp(index, ast.Store())], _hook("expr", site))]
        use_temp = self.temp(index, ast.Load())
        _hidden([use_temp])
        return self.guard([compute], emulate, site, at), use_temp

    def cannot_fail(self, node: ast.expr) -> bool:
        """True for expressions that fail only when the program itself is wrong: constants, names
        the program binds or Python provides, attributes, subscripts, operators, displays, and
        calls of the program's own functions (a failure inside one is emulated where it happens)
        or of a few total builtins, of such. What an LM's answer or the world can make fail (calls
        of methods, `int()`, the library, names never bound) is not. A header that cannot fail
        keeps its test: a temporary would cost time on every execution for nothing."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.usage.bound or node.id in analysis.KNOWN_NAMES
        if isinstance(node, ast.Call):
            func = node.func
            if not (_is_hook_call(node) or (isinstance(func, ast.Name) and (func.id in self.usage.defined or (func.id in _TOTAL_BUILTINS and func.id not in self.usage.bound)))):
                return False
            return all(self.cannot_fail(a.value if isinstance(a, ast.Starred) else a) for a in node.args) and all(
                self.cannot_fail(k.value) for k in node.keywords
            )
        if isinstance(node, (ast.Attribute, ast.Subscript, ast.UnaryOp, ast.BinOp, ast.BoolOp, ast.Compare, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Slice, ast.Starred, ast.IfExp)):
            return all(self.cannot_fail(child) for child in _children(node) if isinstance(child, ast.expr))
        return False

    # -- pseudo-code -----------------------------------------------------------------------------

    @staticmethod
    def is_placeholder_stmt(stmt: ast.stmt, pseudo: PseudoLine) -> bool:
        if pseudo.form == "statement":
            return isinstance(stmt, ast.Pass)
        if pseudo.form == "assign":
            return isinstance(stmt, ast.Assign) and _is_placeholder(stmt.value)
        return False  # headers and return keep their statement; the placeholder is an expression

    def pseudo_stmt(self, stmt: ast.stmt, pseudo: PseudoLine) -> list[ast.stmt]:
        if pseudo.form == "assign":
            assert isinstance(stmt, ast.Assign)
            singles = [s for target in stmt.targets for s in analysis.flatten_targets(target)]
            if not all(isinstance(s, ast.Name) for s in singles):
                site = self.site("expression", "pseudo", pseudo, source=pseudo.expr)
                stmt.value = _hook("expr", site)
                return [stmt]
            names = [s.id for s in singles]  # type: ignore[attr-defined]
            types = analysis.comment_types(names, split_comment(self.line_text(pseudo.lineno))[1])
            targets = [t for name in names if (t := self.name_target(name)) is not None]
            site = self.line_site("pseudo", pseudo, targets, types, kind="pseudo")
            return self.apply(site, targets)
        if pseudo.text.split(None, 1)[0].lower() in _PRINT_WORDS:
            site = self.site("expression", "pseudo", pseudo, returns="str")
            return [ast.Expr(ast.Call(ast.Name("print", ast.Load()), [_hook("expr", site)], []))]
        # Free-form prose may change the variables it names: the LM says which it changes.
        words = dict.fromkeys(re.findall(r"[A-Za-z_]\w*", pseudo.text))
        targets = [t for word in words if word in self.usage.bound and (t := self.name_target(word)) is not None]
        site = self.site(
            "pseudo",
            "pseudo",
            pseudo,
            targets=tuple(t.text for t in targets),
            bindings=tuple("merge" if t.binding == "name" else "global" for t in targets),
            free_form=True,
        )
        answers = self.temp(0, ast.Load())
        stored = [
            ast.If(
                ast.Compare(ast.Constant(t.text), [ast.In()], [_clone(answers)]),
                [ast.Assign([ast.Name(t.text, ast.Store())], ast.Subscript(_clone(answers), ast.Constant(t.text), ast.Load()))],
                [],
            )
            for t in targets
            if t.binding == "name"
        ]
        _hidden(stored)  # type: ignore[arg-type]
        return [ast.Assign([self.temp(0, ast.Store())], _hook("line", site)), *stored]

    def pseudo_expr(self, pseudo: PseudoLine) -> ast.expr:
        returns = {"if": "bool", "elif": "bool", "while": "bool", "for": "list"}.get(pseudo.form)
        if pseudo.form == "return":
            returns = self.return_annotation()
        site = self.site("expression", "pseudo", pseudo, source=pseudo.expr, returns=returns)
        return _hook("expr", site)

    # -- expressions -----------------------------------------------------------------------------

    def expressions(self, stmt: ast.stmt) -> None:
        """Rewrite semantic calls and pseudo placeholders in the expressions `stmt` holds itself
        (not in the statements of its body)."""
        end = stmt.end_lineno or stmt.lineno
        if not any(line in self.lines_to_rewrite for line in range(stmt.lineno, end + 1)):
            return
        rewriter = _Expressions(self, stmt)
        leaf = (ast.expr, ast.keyword, ast.arguments, ast.withitem)
        for name, value in ast.iter_fields(stmt):
            if isinstance(value, leaf):
                setattr(stmt, name, rewriter.visit(value))
            elif isinstance(value, list):
                setattr(stmt, name, [rewriter.visit(v) if isinstance(v, leaf) else v for v in value])
        if isinstance(stmt, ast.Match):
            for case in stmt.cases:
                if case.guard is not None:
                    case.guard = rewriter.visit(case.guard)

    def semantic_call(self, call: ast.Call, parent: ast.AST | None) -> ast.Call:
        assert isinstance(call.func, ast.Name)
        name = call.func.id
        returns = analysis.call_return_type(call, parent, split_comment(self.line_text(call.lineno))[1])
        labels = self.usage.labels.get(name)
        hint: tuple[object, ...] = ()
        if labels is not None and len(labels.values) >= 2 and returns in (None, "str"):
            if labels.closed:
                returns = "Literal[" + ", ".join(repr(label) for label in labels.values) + "]"
            else:
                hint = tuple(labels.values)
        site = self.site("call", "undefined-call", call, function=name, returns=returns, labels=hint)
        self.call_sites[id(call)] = site
        keywords = [kw for kw in call.keywords if kw.arg != "ret_type"]
        method = "acall" if name in self.usage.awaited else "call"
        new = _hook(method, site, *call.args, keywords=keywords)
        new.func = _located(new.func, call.func)  # type: ignore[assignment]
        return _located(new, call)  # type: ignore[return-value]

    def proxy(self, node: ast.Name) -> ast.expr:
        """A semantic function used as a value (`sorted(xs, key=weight_of)`): a callable proxy."""
        site = self.site("call", "undefined-call", node, function=node.id)
        self.call_sites[id(node)] = site
        method = "afn" if node.id in self.usage.awaited else "fn"
        return _located(_hook(method, site), node)  # type: ignore[return-value]


class _Expressions(ast.NodeTransformer):
    """Rewrites the semantic calls, proxies and pseudo placeholders of one statement's
    expressions; `parents` holds the nodes being visited (the statement first)."""

    def __init__(self, owner: _Rewriter, stmt: ast.stmt) -> None:
        self.owner = owner
        self.parents: list[ast.AST] = [stmt]

    def visit(self, node: ast.AST) -> ast.AST:
        self.parents.append(node)
        try:
            return super().visit(node)
        finally:
            self.parents.pop()

    def visit_Call(self, node: ast.Call) -> ast.expr:
        mapped = _mapped_function(node, self.owner.usage.bound)
        node.args = [self.function_value(a) if i == 0 and _higher_order(node) else self.visit(a) for i, a in enumerate(node.args)]  # type: ignore[misc]
        for keyword_ in node.keywords:
            keyword_.value = self.function_value(keyword_.value) if keyword_.arg in analysis.FUNCTION_KEYWORDS else self.visit(keyword_.value)  # type: ignore[assignment]
        if isinstance(node.func, ast.Name) and node.func.id in self.owner.semantic and not self.owner.name_error_caught():
            return self.owner.semantic_call(node, self.parents[-2])
        node.func = self.visit(node.func)  # type: ignore[assignment]
        if mapped is not None and self.owner.mode == "interweave" and id(mapped[0]) in self.owner.call_sites:
            # map(f, xs), filter(f, xs), sorted/min/max(xs, key=f): f is called with each item
            # of xs, in order.
            function, index = mapped
            item = ast.Call(ast.Name(AHEAD_ITEM, ast.Load()), [ast.Name(AHEAD_ITEM, ast.Load())], [])
            self.owner.call_sites[id(item)] = self.owner.call_sites[id(function)]
            node.args[index] = self.owner.ahead(AHEAD_ITEM, [item], set(), node.args[index], node.args[index])
        return node

    def loop_expression(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> ast.expr:
        generator = node.generators[0]
        plans = self.owner.mode == "interweave" and len(node.generators) == 1 and not generator.is_async
        pattern = ahead.target_pattern(generator.target) if plans else None
        calls = ahead.comprehension_calls(node) if pattern is not None else []
        rebound = set(self.owner.walrus_targets(node)) if calls else set()
        self.generic_visit(node)
        if calls and pattern is not None:
            generator.iter = self.owner.ahead(pattern, calls, rebound, generator.iter, generator.iter)
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = loop_expression

    def function_value(self, node: ast.expr) -> ast.expr:
        """An argument where a function is expected (`key=f`, `map(f, xs)`): a semantic name there
        becomes a callable proxy (elsewhere, an unbound name is an error of its line)."""
        if isinstance(node, ast.Name) and node.id in self.owner.semantic and isinstance(node.ctx, ast.Load) and not self.owner.name_error_caught():
            return self.owner.proxy(node)
        return self.visit(node)  # type: ignore[return-value]

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id == PLACEHOLDER:
            if (pseudo := self.owner.parsed.pseudo.get(node.lineno)) is not None:
                return _located(self.owner.pseudo_expr(pseudo), node)  # type: ignore[return-value]
        return node


# The name a map/filter plan binds each item to (no identifier can spell it).
AHEAD_ITEM = "@item"


def _mapped_function(call: ast.Call, bound: set[str]) -> tuple[ast.Name, int] | None:
    """(f, index of xs in the call's arguments) for `map(f, xs)`, `filter(f, xs)` and
    `sorted(xs, key=f)`, `min(xs, key=f)`, `max(xs, key=f)` of the builtins, with one iterable
    and a plain name f; None for other calls."""
    func = call.func
    if not isinstance(func, ast.Name) or func.id in bound or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    if func.id in analysis.HIGHER_ORDER and len(call.args) == 2 and not call.keywords and isinstance(call.args[0], ast.Name):
        return call.args[0], 1
    keys = [k.value for k in call.keywords if k.arg == "key"]
    others = {k.arg for k in call.keywords if k.arg != "key"}
    if (
        func.id in _KEYED
        and len(call.args) == 1
        and len(keys) == 1
        and isinstance(keys[0], ast.Name)
        and others <= ({"reverse"} if func.id == "sorted" else set())
    ):
        return keys[0], 0
    return None


_KEYED = frozenset({"sorted", "min", "max"})  # builtins calling `key` on each item, in order


def _is_enumerate(node: ast.expr, bound: set[str]) -> bool:
    """`enumerate(xs)` of the builtin, counting from 0."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "enumerate"
        and "enumerate" not in bound
        and len(node.args) == 1
        and not node.keywords
        and not isinstance(node.args[0], ast.Starred)
    )


def _higher_order(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id in analysis.HIGHER_ORDER


def _calls(node: ast.AST) -> list[ast.Call]:
    """The calls of an expression, not inside lambdas or comprehensions (their own scopes)."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(current, ast.Call):
            found.append(current)
        stack.extend(_children(current))
    return found


def _decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _suppressed(context: ast.expr) -> list[ast.expr]:
    """The exception types of `contextlib.suppress(...)` / `suppress(...)`: the `with` swallows them."""
    if isinstance(context, ast.Call) and _decorator_name(context.func) == "suppress":
        return [arg for arg in context.args if not isinstance(arg, ast.Starred)]
    return []


def _is_print(node: ast.expr, bound: set[str]) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print" and "print" not in bound


def _leaves_loop(stmts: list[ast.stmt]) -> bool:
    """True when `stmts` hold a break/continue that belongs to an enclosing loop."""
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Continue)):
            return True
        if not isinstance(node, (ast.For, ast.While, ast.AsyncFor, *_FUNCTIONS, ast.ClassDef)):
            stack.extend(_children(node))
    return False
