"""The AST rewrite that turns a hybrid program into one CPython runs, asking the LM where needed.

`rewrite(source, filename, mode)` is pure: it returns the rewritten tree and the emulation sites;
the runtime compiles the tree against the real file path and supplies the hooks. Generated names
start with `@`, which no source identifier can, so they never clash with the program's names:

- `@coc` is the hooks object (found in the program's builtins, so it is not a user variable);
- `@v` holds a header value (an `if` test, a `for` iterable, ...) between its evaluation and use.

What each construct becomes (interweave mode):

    is_sarcastic(s)            @coc.call(SITE, s)                        no exception involved
    x = f(y) + 1               try: x = f(y) + 1
                               except BaseException:
                                   if @coc.propagates(SITE): raise
                                   (x,) = @coc.line(SITE)
    if TEST:                   try: @v = TEST
                               except BaseException: (as above, then) @v = @coc.expr(SITE)
                               if @v:

Nodes of the user's program keep their exact positions; generated nodes take the position of the
statement they wrap, and except-handler nodes take no line at all (line -1), so that failing and
being emulated emits no second line event for debuggers and `next` steps over it once.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import CodeType
from typing import Literal

from coc_lsp.program import analysis
from coc_lsp.program.parse import PLACEHOLDER, ParsedProgram, PseudoLine, split_comment, tolerant_parse
from coc_lsp.program.sites import Kind, Site, Trigger

HOOKS = "@coc"
TEMP = "@v"
HANDLER_LINE = -1
Mode = Literal["interweave", "lm"]
_PRINT_WORDS = ("print", "show", "display", "output", "say")


@dataclass
class RewrittenProgram:
    parsed: ParsedProgram
    tree: ast.Module
    sites: list[Site]
    filename: str
    # Lines of `raise` statements: exceptions they raise are the program's own, never emulated.
    raise_lines: frozenset[int] = frozenset()
    # For each line inside a `try` body: the compiled types of the handlers that enclose it in the
    # same frame, innermost first (None for a bare `except:`).
    handlers: dict[int, tuple[CodeType | None, ...]] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.parsed.source


def rewrite(source: str, filename: str, mode: Mode = "interweave", record_values: bool = False) -> RewrittenProgram:
    """`record_values`: after each assignment Python runs, `@coc.record(site)` reports the values
    it bound (the editor's hints for Python-run lines)."""
    parsed = tolerant_parse(source, filename)
    return _Rewriter(parsed, filename, mode, record_values).run()


def _located(node: ast.AST, like: ast.AST | tuple[int, int, int, int]) -> ast.AST:
    """Give `node` and its children that have no position the position of `like`."""
    if isinstance(like, tuple):
        line, col, end_line, end_col = like
    else:
        line, col = like.lineno, like.col_offset  # type: ignore[attr-defined]
        end_line, end_col = like.end_lineno, like.end_col_offset  # type: ignore[attr-defined]
    for child in ast.walk(node):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            child.lineno, child.col_offset = line, col  # type: ignore[attr-defined]
            child.end_lineno, child.end_col_offset = end_line, end_col  # type: ignore[attr-defined]
    return node


def _hook(method: str, site: int, *args: ast.expr, keywords: Iterable[ast.keyword] = ()) -> ast.Call:
    func = ast.Attribute(ast.Name(HOOKS, ast.Load()), method, ast.Load())
    return ast.Call(func, [ast.Constant(site), *args], list(keywords))


def _store(names: Iterable[str]) -> ast.Tuple:
    return ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())


class _Rewriter:
    def __init__(self, parsed: ParsedProgram, filename: str, mode: Mode, record_values: bool = False) -> None:
        self.record_values = record_values
        self.parsed = parsed
        self.filename = filename
        self.mode = mode
        self.lines = parsed.source.splitlines()
        self.tree = parsed.tree
        self.semantic = analysis.semantic_functions(self.tree)
        self.bound = analysis.bound_names(self.tree) or set()
        self.labels = analysis.compared_labels(self.tree)
        self.parent_of = analysis.parents(self.tree)
        self.sites: list[Site] = []
        self.raise_lines: set[int] = set()
        self.handlers: dict[int, tuple[CodeType | None, ...]] = {}
        self.handler_stack: list[tuple[CodeType | None, ...]] = []
        # The type expressions of the handlers of the `try` bodies being rewritten (innermost
        # last; None for a bare `except:`): guards inside re-raise those without asking the hooks.
        self.handler_types: list[list[ast.expr | None]] = []
        self.scope: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
        self.assignable_cache: dict[ast.AST, set[str]] = {}

    def run(self) -> RewrittenProgram:
        self.tree.body = self.body(self.tree.body)
        return RewrittenProgram(
            self.parsed,
            self.tree,
            self.sites,
            self.filename,
            frozenset(self.raise_lines),
            self.handlers,
        )

    # -- sites -------------------------------------------------------------------------------

    def site(
        self,
        kind: Kind,
        trigger: Trigger,
        node: ast.AST | PseudoLine,
        source: str | None = None,
        **extra: object,
    ) -> int:
        if isinstance(node, PseudoLine):
            span = (node.lineno, node.col, node.lineno, node.end_col)
            text = node.text
        else:
            span = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
            text = self.segment(*span) or ast.unparse(node)  # type: ignore[arg-type]
        context = analysis.context_comments(self.lines, span[0])
        if (docstring := self.docstring()) and docstring not in context:
            context.insert(0, docstring)
        site = Site(
            id=len(self.sites),
            kind=kind,
            trigger=trigger,
            line=span[0],
            col=span[1],
            end_line=span[2] or span[0],
            end_col=span[3] or 0,
            source=source if source is not None else text,
            context=tuple(context),
            scope=".".join(s.name for s in self.scope) or "<module>",
            **extra,  # type: ignore[arg-type]
        )
        self.sites.append(site)
        return site.id

    def segment(self, line: int, col: int, end_line: int | None, end_col: int | None) -> str:
        """The source text of a node's span (ast columns are UTF-8 byte offsets)."""
        if end_line is None or end_col is None or not 0 < line <= end_line <= len(self.lines):
            return ""
        chunk = [text.encode() for text in self.lines[line - 1 : end_line]]
        if len(chunk) == 1:
            return chunk[0][col:end_col].decode(errors="replace")
        chunk[0], chunk[-1] = chunk[0][col:], chunk[-1][:end_col]
        return b"\n".join(chunk).decode(errors="replace")

    def docstring(self) -> str | None:
        for node in reversed(self.scope):
            if not isinstance(node, ast.ClassDef):
                doc = ast.get_docstring(node)
                return doc.strip() if doc else None
        return None

    def assignable(self, name: str) -> bool:
        """Can generated code assign `name` here without making it a new local (which would
        break the function's other uses of a global or enclosing name)?"""
        if not self.scope:
            return True
        function = self.scope[-1]
        if isinstance(function, ast.ClassDef):
            return False
        if function not in self.assignable_cache:
            self.assignable_cache[function] = analysis.assignable_names(function)
        return name in self.assignable_cache[function]

    def return_annotation(self) -> str | None:
        for node in reversed(self.scope):
            if not isinstance(node, ast.ClassDef):
                return analysis.annotation_text(node.returns)
        return None

    # -- statements --------------------------------------------------------------------------

    def body(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            out.extend(self.stmt(stmt))
        return out or [ast.Pass()]

    def stmt(self, stmt: ast.stmt) -> list[ast.stmt]:
        if self.handler_stack and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            covering = tuple(h for group in reversed(self.handler_stack) for h in group)
            body = getattr(stmt, "body", None)
            last = body[0].lineno - 1 if body else (stmt.end_lineno or stmt.lineno)
            for line in range(stmt.lineno, max(last, stmt.lineno) + 1):
                self.handlers.setdefault(line, covering)
        pseudo = self.parsed.pseudo.get(stmt.lineno)
        if pseudo is not None and self._is_placeholder_stmt(stmt, pseudo):
            return [_located(s, stmt) for s in self.pseudo_stmt(stmt, pseudo)]  # type: ignore[misc]
        self.expressions(stmt)
        if isinstance(stmt, ast.Raise):
            self.raise_lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
            return [stmt]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            saved = self.handler_stack, self.handler_types
            self.handler_stack, self.handler_types = [], []
            self.scope.append(stmt)
            stmt.body = self.body(stmt.body)
            self.scope.pop()
            self.handler_stack, self.handler_types = saved
            return [stmt]
        if isinstance(stmt, (ast.Try, ast.TryStar)):
            return [self.try_stmt(stmt)]
        if isinstance(stmt, ast.If):
            pre = self.slot(stmt, "test", "bool")
            stmt.body, stmt.orelse = self.body(stmt.body), self.optional_body(stmt.orelse)
            return [*pre, stmt]
        if isinstance(stmt, ast.While):
            return [self.while_stmt(stmt)]
        if isinstance(stmt, ast.For):
            pre = self.slot(stmt, "iter", "list")
            stmt.body, stmt.orelse = self.body(stmt.body), self.optional_body(stmt.orelse)
            return [*pre, stmt]
        if isinstance(stmt, (ast.AsyncFor, ast.AsyncWith)):
            stmt.body = self.body(stmt.body)
            if isinstance(stmt, ast.AsyncFor):
                stmt.orelse = self.optional_body(stmt.orelse)
            return [stmt]
        if isinstance(stmt, ast.With):
            pre: list[ast.stmt] = []
            for index, item in enumerate(stmt.items):
                pre += self.slot(item, "context_expr", None, f"{TEMP}{index}", stmt)
            stmt.body = self.body(stmt.body)
            return [*pre, stmt]
        if isinstance(stmt, ast.Match):
            pre = self.slot(stmt, "subject", None)
            for case in stmt.cases:
                case.body = self.body(case.body)
            return [*pre, stmt]
        if isinstance(stmt, ast.Assert):
            return [*self.slot(stmt, "test", "bool"), stmt]
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            return [*self.slot(stmt, "value", self.return_annotation()), stmt]
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, (ast.Yield, ast.YieldFrom)):
            if stmt.value.value is None:
                return [stmt]
            return [*self.slot(stmt.value, "value", None, TEMP, stmt), stmt]
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
            return self.simple_stmt(stmt)
        return [stmt]  # import, del, pass, break, continue, global, nonlocal, ...

    def optional_body(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        return self.body(stmts) if stmts else []

    def try_stmt(self, stmt: ast.Try | ast.TryStar) -> ast.stmt:
        types: list[CodeType | None] = []
        for handler in stmt.handlers:
            if handler.type is None:
                types.append(None)
            else:
                expression = ast.Expression(handler.type)
                types.append(compile(expression, self.filename, "eval"))
        self.handler_stack.append(tuple(types))
        self.handler_types.append([handler.type for handler in stmt.handlers])
        stmt.body = self.body(stmt.body)
        self.handler_types.pop()
        self.handler_stack.pop()
        for handler in stmt.handlers:
            handler.body = self.body(handler.body)
        stmt.orelse = self.optional_body(stmt.orelse)
        stmt.finalbody = self.optional_body(stmt.finalbody)
        return stmt

    def while_stmt(self, stmt: ast.While) -> ast.stmt:
        """`while TEST: body else: rest` -> `while True: @v = TEST (guarded); if not @v: rest; break`."""
        stmt.body = self.body(stmt.body)
        stmt.orelse = self.optional_body(stmt.orelse)
        if self.mode == "interweave" and _leaves_loop(stmt.orelse):
            return stmt  # moving `else` into the loop would retarget its break/continue
        pre = self.slot(stmt, "test", "bool")
        exit_ = ast.If(ast.UnaryOp(ast.Not(), stmt.test), [*stmt.orelse, ast.Break()], [])
        loop = ast.While(ast.Constant(True), [*pre, _located(exit_, stmt), *stmt.body], [])
        return _located(loop, stmt)  # type: ignore[return-value]

    def slot(
        self,
        owner: ast.AST,
        attr: str,
        returns: str | None,
        temp: str = TEMP,
        at: ast.stmt | None = None,
    ) -> list[ast.stmt]:
        """Guard the expression `owner.attr`: statements that compute it into `temp`."""
        expr: ast.expr = getattr(owner, attr)
        at = at or owner  # type: ignore[assignment]
        if isinstance(expr, ast.Call) and _is_hook_call(expr) or isinstance(expr, ast.Constant):
            return []  # already emulated statically, or cannot fail
        is_with = isinstance(owner, ast.withitem)
        trigger: Trigger = "lm-mode" if self.mode == "lm" else "exception"
        site = self.site("expression", trigger, expr, returns=returns, as_context_manager=is_with)
        if self.mode == "lm":
            setattr(owner, attr, _located(_hook("expr", site), expr))
            return []
        setattr(owner, attr, _located(ast.Name(temp, ast.Load()), expr))
        compute = ast.Assign([ast.Name(temp, ast.Store())], expr)
        emulate = ast.Assign([ast.Name(temp, ast.Store())], _hook("expr", site))
        return self.guard([compute], [emulate], site, at)  # type: ignore[arg-type]

    def simple_stmt(self, stmt: ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Expr) -> list[ast.stmt]:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return [stmt]  # a docstring or bare constant cannot fail
        if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
            return [stmt]
        if isinstance(stmt, ast.Expr) and _is_hook_call(stmt.value):
            return [stmt]
        targets = analysis.statement_targets(stmt)
        types = analysis.comment_types(targets or [], split_comment(self.lines[stmt.lineno - 1])[1])
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            types[stmt.target.id] = ast.unparse(stmt.annotation)
        if isinstance(stmt, ast.Expr):
            if self.mode == "lm":
                return [stmt]  # calls run in Python in lm mode too
            targets = [n for n in analysis.changed_receivers(stmt) if self.assignable(n)]
        trigger: Trigger = "lm-mode" if self.mode == "lm" else "exception"
        if targets is None:
            # Assigns through attributes or subscripts: emulate the value, assign it in Python.
            site = self.site("expression", trigger, stmt.value, returns=None)  # type: ignore[arg-type]
            emulated = _copy_with_value(stmt, _hook("expr", site))  # type: ignore[arg-type]
        else:
            site = self.site("line", trigger, stmt, targets=tuple(targets), target_types=types)
            emulated = _assign_line(targets, site)
        if self.mode == "lm":
            return [_located(emulated, stmt)]  # type: ignore[list-item]
        body: list[ast.stmt] = [stmt]
        emulated_inside = any(_is_hook_call(n) for n in ast.walk(stmt) if isinstance(n, ast.Call))
        if self.record_values and targets and not emulated_inside:  # the LM's answer has its own hint
            body.append(_located(ast.Expr(_hook("record", site)), (HANDLER_LINE, 0, HANDLER_LINE, 0)))  # type: ignore[arg-type]
        return self.guard(body, [emulated], site, stmt)

    def guard(
        self, body: list[ast.stmt], emulate: list[ast.stmt], site: int, at: ast.stmt
    ) -> list[ast.stmt]:
        """try: body / except BaseException: if @coc.propagates(site): raise / emulate

        Inside the program's own `try` bodies, a first handler re-raises what the program's
        handlers name, so the program's own exceptions cost no call into the hooks."""
        enclosing = [t for types in reversed(self.handler_types) for t in types]
        if None in enclosing:
            return body  # a bare `except:` of the program catches everything first
        handlers = []
        if enclosing:
            flat = [e for t in enclosing for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
            caught = ast.Tuple([copy.deepcopy(t) for t in flat], ast.Load())
            handlers.append(ast.ExceptHandler(caught, None, [ast.Raise()]))
        check = ast.If(_hook("propagates", site), [ast.Raise()], [])
        handlers.append(ast.ExceptHandler(ast.Name("BaseException", ast.Load()), None, [check, *emulate]))
        for handler in handlers:
            for node in ast.walk(handler):
                if "lineno" in node._attributes:
                    node.lineno = node.end_lineno = HANDLER_LINE  # type: ignore[attr-defined]
                    node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        return [_located(ast.Try(body, handlers, [], []), at)]  # type: ignore[list-item]

    # -- pseudo-code -------------------------------------------------------------------------

    @staticmethod
    def _is_placeholder_stmt(stmt: ast.stmt, pseudo: PseudoLine) -> bool:
        if pseudo.form == "statement":
            return isinstance(stmt, ast.Pass)
        if pseudo.form == "assign":
            return isinstance(stmt, ast.Assign) and _is_placeholder(stmt.value)
        return False  # headers and return keep their statement; the placeholder is an expression

    def pseudo_stmt(self, stmt: ast.stmt, pseudo: PseudoLine) -> list[ast.stmt]:
        if pseudo.form == "assign":
            assert isinstance(stmt, ast.Assign)
            targets = analysis.statement_targets(stmt)
            if targets is None:
                site = self.site("expression", "pseudo", pseudo, source=pseudo.expr)
                stmt.value = _hook("expr", site)
                return [stmt]
            types = analysis.comment_types(targets, split_comment(self.lines[pseudo.lineno - 1])[1])
            site = self.site("pseudo", "pseudo", pseudo, targets=tuple(targets), target_types=types)
            return [_assign_line(targets, site)]
        first_word = pseudo.text.split(None, 1)[0].lower()
        if first_word in _PRINT_WORDS:
            site = self.site("expression", "pseudo", pseudo, returns="str")
            call = ast.Call(ast.Name("print", ast.Load()), [_hook("expr", site)], [])
            return [ast.Expr(call)]
        # Free-form prose may change the variables it names: those are its targets.
        words = dict.fromkeys(re.findall(r"[A-Za-z_]\w*", pseudo.text))
        targets = [n for n in words if n in self.bound and self.assignable(n)]
        site = self.site("pseudo", "pseudo", pseudo, targets=tuple(targets))
        return [_assign_line(targets, site)]

    def pseudo_expr(self, pseudo: PseudoLine) -> ast.expr:
        returns = {"if": "bool", "elif": "bool", "while": "bool", "for": "list"}.get(pseudo.form)
        if pseudo.form == "return":
            returns = self.return_annotation()
        site = self.site("expression", "pseudo", pseudo, source=pseudo.expr, returns=returns)
        return _hook("expr", site)

    # -- expressions -------------------------------------------------------------------------

    def expressions(self, stmt: ast.stmt) -> None:
        """Rewrite semantic calls and pseudo placeholders in the expressions `stmt` holds itself."""
        rewriter = _ExpressionRewriter(self)
        leaf = (ast.expr, ast.keyword, ast.arguments, ast.withitem)
        for name, value in ast.iter_fields(stmt):
            if isinstance(value, leaf):
                setattr(stmt, name, rewriter.visit(value))
            elif isinstance(value, list):
                setattr(stmt, name, [rewriter.visit(v) if isinstance(v, leaf) else v for v in value])

    def semantic_call(self, call: ast.Call) -> ast.Call:
        assert isinstance(call.func, ast.Name)
        name = call.func.id
        line = self.lines[call.lineno - 1] if call.lineno <= len(self.lines) else ""
        returns = analysis.call_return_type(call, self.parent_of, split_comment(line)[1])
        labels = self.labels.get(name, [])
        if returns in (None, "str") and len(labels) >= 2:
            returns = "Literal[" + ", ".join(repr(label) for label in labels) + "]"
        site = self.site("call", "undefined-call", call, function=name, returns=returns)
        keywords = [kw for kw in call.keywords if kw.arg != "ret_type"]
        new = _hook("call", site, *call.args, keywords=keywords)
        new.func = _located(new.func, call.func)  # type: ignore[assignment]
        return _located(new, call)  # type: ignore[return-value]


class _ExpressionRewriter(ast.NodeTransformer):
    def __init__(self, owner: _Rewriter) -> None:
        self.owner = owner

    def visit_Call(self, node: ast.Call) -> ast.expr:
        node.args = [self.visit(a) for a in node.args]
        node.keywords = [self.visit(k) for k in node.keywords]
        if isinstance(node.func, ast.Name) and node.func.id in self.owner.semantic:
            return self.owner.semantic_call(node)
        node.func = self.visit(node.func)
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if isinstance(node.ctx, ast.Load) and node.id == PLACEHOLDER:
            pseudo = self.owner.parsed.pseudo.get(node.lineno)
            if pseudo is not None:
                return _located(self.owner.pseudo_expr(pseudo), node)  # type: ignore[return-value]
        if isinstance(node.ctx, ast.Load) and node.id in self.owner.semantic:
            # A semantic function used as a value (`sorted(xs, key=weight_of)`): a callable proxy.
            site = self.owner.site("call", "undefined-call", node, function=node.id)
            return _located(_hook("fn", site), node)  # type: ignore[return-value]
        return node


def _is_placeholder(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Name) and node.id == PLACEHOLDER


def _is_hook_call(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == HOOKS
    )


def _assign_line(targets: list[str], site: int) -> ast.stmt:
    if not targets:
        return ast.Expr(_hook("line", site))
    return ast.Assign([_store(targets)], _hook("line", site))


def _copy_with_value(stmt: ast.Assign | ast.AugAssign | ast.AnnAssign, value: ast.expr) -> ast.stmt:
    """The same assignment with another value (targets copied: the original stays in the guard)."""
    if isinstance(stmt, ast.Assign):
        return ast.Assign(copy.deepcopy(stmt.targets), value)
    if isinstance(stmt, ast.AugAssign):
        return ast.AugAssign(copy.deepcopy(stmt.target), stmt.op, value)
    return ast.AnnAssign(copy.deepcopy(stmt.target), copy.deepcopy(stmt.annotation), value, stmt.simple)


def _leaves_loop(stmts: list[ast.stmt]) -> bool:
    """True when `stmts` hold a break/continue that belongs to an enclosing loop."""
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Continue)):
            return True
        if not isinstance(node, (ast.For, ast.While, ast.AsyncFor, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))
    return False
