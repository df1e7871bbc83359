"""Emulation sites: the places in a program where the LM may be asked, known before it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The name of the hooks object in the program's builtins: no identifier can spell it.
HOOKS = "@coc"

SiteKind = Literal["call", "expression", "line", "pseudo"]
# Why a site exists: a call of an undefined name, a line that is not Python, a statement or
# header Python may fail on at run time, an import of a module that is not installed, or every
# statement under `--mode lm`.
Trigger = Literal["undefined-call", "pseudo", "exception", "missing-module", "lm-mode"]
# How the answer for one target of a line reaches the program:
#   name    assigned to a name the scope may assign;
#   store   assigned through an attribute or subscript target (`obj.x`, `table[k]`);
#   merge   an object the statement changes (`items` in `items.append(x)`): updated in place when
#           its type allows (aliases see the change), then stored back;
#   global  a module global the scope may not assign (no `global` statement): updated in place,
#           else set in the module's globals by the hooks.
Binding = Literal["name", "store", "merge", "global"]
# What an expression site's answer is used as.
Use = Literal["value", "context", "async-context", "async-iterable"]


@dataclass(frozen=True)
class Site:
    """One place the LM may emulate. Lines are 1-based, columns 0-based characters, as in the
    trace; `targets` are what a line site's answer gives values for (names, or target texts such
    as `self.items`), with `bindings` saying how each reaches the program."""

    id: int
    kind: SiteKind
    trigger: Trigger
    line: int
    col: int
    end_line: int
    end_col: int
    source: str
    function: str | None = None
    targets: tuple[str, ...] = ()
    bindings: tuple[Binding, ...] = ()
    returns: str | None = None
    target_types: dict[str, str] = field(default_factory=dict)
    context: tuple[str, ...] = ()
    scope: str = "<module>"
    # Values the program compares the answer with, when they are a hint rather than a closed set.
    labels: tuple[object, ...] = ()
    use: Use = "value"
    # For missing-module sites: the dotted name each target was imported as.
    imported: tuple[str, ...] = ()
    # Free-form pseudo-code: `targets` are only the names it may change; the LM answers any of
    # them (and, at module level, new names).
    free_form: bool = False


# How a prefetched call's argument is computed from a loop item, without running program code:
#   ("name", NAME)            the loop target's part, else the variable (read, never called)
#   ("const", VALUE)          a constant of the program
#   ("attr", RECIPE, NAME)    an instance attribute (never a property or __getattr__)
#   ("item", RECIPE, RECIPE)  a subscript of a list, tuple, str, range or dict
#   ("tuple", (RECIPE, ...))  a tuple display
Recipe = tuple[object, ...]
# A loop target: a name, or a (nested) tuple of names: `s`, `(i, s)`.
Pattern = str | tuple["Pattern", ...]


@dataclass(frozen=True)
class AheadCall:
    """A semantic call a loop makes on every item: its site and how its arguments follow from the
    item."""

    site: int
    args: tuple[Recipe, ...]
    kwargs: tuple[tuple[str, Recipe], ...] = ()


@dataclass(frozen=True)
class AheadPlan:
    """A loop (`for`, comprehension, generator expression, `map`/`filter`, `key=`) whose semantic calls
    can be asked ahead of time, concurrently, when its iterable is already materialised.
    `target` binds each item as the loop does; `calls` are in the order the loop makes them."""

    id: int
    line: int
    target: Pattern
    calls: tuple[AheadCall, ...]
    # "enumerate": the loop iterates `enumerate(ITERABLE)` and its items are (index, item).
    wrap: str | None = None
