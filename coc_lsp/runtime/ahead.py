"""Asking a loop's semantic calls ahead of time, concurrently (the static side: program/ahead.py).

When a planned loop starts over a materialised iterable (list, tuple, str, range, dict, set,
frozenset, a dict's keys/values/items: never an iterator, which asking ahead would consume), `Ahead` wraps the loop's iterator
and keeps the requests of the next items in flight: `window` requests at most per loop, sent from a
thread pool of the backend's `max_in_flight` workers. An item's arguments are computed from the
plan's recipes without running program code (no call, no property, no `__getitem__` of the
program's classes) and copied, so the program mutating them later cannot change a request in
flight; when that is not possible the item is simply not asked ahead.

The program's own call always builds its request as before. `Prefetcher.take` hands it the answer
asked ahead only when the two requests have the same cache key (the same prompt and type, as the
LMulator sees it), else it is asked as usual: a run computes what a sequential run computes. A
request is not asked ahead again while the same one is pending: the second call with it comes
after the first took its answer, and meets the cache as it would in a sequential run. Answers asked
ahead and never used are in the cache and counted apart (`finish`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType, GetSetDescriptorType
from typing import TYPE_CHECKING, Any

from coc_lsp.program.sites import AheadPlan, Pattern, Recipe

if TYPE_CHECKING:  # imported when a run first asks ahead (concurrent.futures pulls in logging)
    import queue
    from concurrent.futures import Future

    from coc_lsp.lm.lmulator import LMResult, LMulator
    from coc_lsp.lm.request import EmulationRequest

# Iterables whose items are known without consuming anything (exact types: a subclass may iterate
# its own way), dict views included.
MATERIALISED = (list, tuple, str, range, dict, set, frozenset, type({}.keys()), type({}.values()), type({}.items()))
_INDEXED = (list, tuple, str, range)
_SCALARS = (str, int, float, bool, complex, bytes, type(None))
FINISH_WAIT_S = 2.0  # how long the end of a run waits for answers asked ahead and still in flight
PLAIN_DICT_LIMIT = 1_000  # keys checked to be plain data before a dict is read ahead
COPY_LIMIT = 10_000  # values copied for one argument at most; larger ones are not asked ahead

Key = tuple[str, str]
# (site id, args, kwargs) -> the request the call would make with these arguments.
RequestFor = Callable[[int, tuple[Any, ...], dict[str, Any]], "EmulationRequest"]


class NotAhead(Exception):
    """An item's arguments cannot be computed safely: the item is not asked ahead."""


class Prefetcher:
    """The requests asked ahead in one run, by cache key, and the threads asking them."""

    def __init__(self, lmulator: LMulator, workers: int, bypass_cache: Callable[[EmulationRequest], bool]) -> None:
        self.lmulator = lmulator
        self.window = workers
        self.bypass_cache = bypass_cache
        self.pool = Workers(workers)
        self.pending: dict[Key, Future[LMResult]] = {}  # asked ahead, not taken yet
        # The program's own threads may emulate too; re-entrant because a loop's iterator may be
        # collected (and drop its requests) while this thread holds the lock.
        self.lock = threading.RLock()

    def key(self, request: EmulationRequest) -> Key:
        """Requests with one key get one answer: the cache's key, and the enclosing function
        (which recorded answers also go by)."""
        return self.lmulator.key(request), request.scope

    def submit(self, request: EmulationRequest) -> Key | None:
        """Ask `request` in a worker unless the same request is pending already; its key if asked."""
        key = self.key(request)
        with self.lock:
            if key in self.pending:
                return None
            self.pending[key] = self.pool.submit(self.lmulator.fetch, request, bypass_cache=self.bypass_cache(request))
        return key

    def take(self, request: EmulationRequest) -> LMResult | None:
        """The answer asked ahead for exactly this request (waiting for it), or None: ask it now.
        An LM failure of the answer asked ahead is raised, as asking now would."""
        if not self.pending:
            return None
        key = self.key(request)
        with self.lock:
            future = self.pending.pop(key, None)
        return None if future is None else future.result()

    def drop(self, keys: list[Key]) -> None:
        """A loop ended: requests of its that no worker started are not asked."""
        with self.lock:
            for key in keys:
                future = self.pending.get(key)
                if future is not None and future.cancel():
                    del self.pending[key]

    def finish(self, wait: bool = True) -> list[LMResult]:
        """The run ended: stop the workers (after the requests in flight, with `wait`); the
        answers asked ahead that the program never used (they are in the cache)."""
        with self.lock:
            futures = list(self.pending.values())
            self.pending.clear()
        self.pool.shutdown(wait)
        return [f.result() for f in futures if f.done() and not f.cancelled() and f.exception() is None]


class Workers:
    """A fixed number of daemon threads running what is submitted, in order. Unlike
    ThreadPoolExecutor's, its threads never hold up the interpreter's exit: a run interrupted while
    an endpoint hangs ends at once."""

    def __init__(self, count: int) -> None:
        import queue

        self.tasks: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None] = queue.SimpleQueue()
        self.threads = [threading.Thread(target=self.work, name="coc-ahead", daemon=True) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def submit(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        self.tasks.put((future, function, args, kwargs))
        return future

    def work(self) -> None:
        while (task := self.tasks.get()) is not None:
            future, function, args, kwargs = task
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            try:
                future.set_result(function(*args, **kwargs))
            except BaseException as error:  # noqa: BLE001 - handed to whoever takes the answer
                future.set_exception(error)

    def shutdown(self, wait: bool) -> None:
        """Cancel what no thread started; end the threads (waiting for them with `wait`, at most
        FINISH_WAIT_S: a sequential run would never have sent those requests, so a slow or hung
        endpoint must not hold up the end of the run; what is still in flight then is abandoned)."""
        import queue

        try:
            while (task := self.tasks.get_nowait()) is not None:
                task[0].cancel()
        except queue.Empty:
            pass
        for _ in self.threads:
            self.tasks.put(None)
        if wait:
            deadline = time.monotonic() + FINISH_WAIT_S
            for thread in self.threads:
                thread.join(max(0.0, deadline - time.monotonic()))


class Ahead:
    """The iterator of a planned loop: the loop's own iterator, stepping the window of requests
    asked ahead along with it. Items are read from the iterable by position (lists as they are
    now, so a list the loop changes is read as the loop will read it), or from a copy taken when
    the loop started for dicts, their views and sets (whose size cannot change while iterated; a
    value changed meanwhile only means that its call asks for itself)."""

    def __init__(
        self, prefetcher: Prefetcher, plan: AheadPlan, iterable: Any, frame: FrameType, request_for: RequestFor
    ) -> None:
        self.prefetcher = prefetcher
        self.plan = plan
        self.items = iterable if type(iterable) in _INDEXED else list(iterable)
        self.inner: Iterator[Any] = iter(iterable)
        self.frame = frame
        self.request_for = request_for
        self.per_item = max(1, prefetcher.window // len(plan.calls))
        self.position = 0  # items the loop has taken
        self.filled = 0  # items asked ahead (or passed over)
        self.keys: list[Key] = []
        self.fill()

    def __iter__(self) -> Ahead:
        return self

    def __next__(self) -> Any:
        try:
            value = next(self.inner)
        except StopIteration:
            self.end()
            raise
        self.position += 1
        self.fill()
        return value

    def fill(self) -> None:
        """Ask ahead the items from the one the loop is on to `per_item` past it. Nothing here may
        fail the program's loop: a failure only stops asking ahead for it."""
        try:
            last = min(max(self.position - 1, 0) + self.per_item, len(self.items))
            while self.filled < last:
                index = self.filled
                self.filled += 1
                self.ask(index)
            if len(self.keys) > 4 * self.per_item:  # keep only those a `break` could still drop
                self.keys = [key for key in self.keys if key in self.prefetcher.pending]
        except Exception:  # noqa: BLE001 - the pool shut down (the run ended), a request's repr failed
            self.filled = len(self.items)

    def ask(self, index: int) -> None:
        item = (index, self.items[index]) if self.plan.wrap == "enumerate" else self.items[index]
        try:
            requests = [self.request_for(call.site, *self.arguments(call.args, call.kwargs, item)) for call in self.plan.calls]
        except NotAhead:
            return
        for request in requests:
            if (key := self.prefetcher.submit(request)) is not None:
                self.keys.append(key)

    def arguments(
        self, args: tuple[Recipe, ...], kwargs: tuple[tuple[str, Recipe], ...], item: Any
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        bound: dict[str, Any] = {}
        bind(self.plan.target, item, bound)
        return (
            tuple(copied(evaluate(r, bound, self.frame)) for r in args),
            {name: copied(evaluate(r, bound, self.frame)) for name, r in kwargs},
        )

    def end(self) -> None:
        if self.keys:
            self.prefetcher.drop(self.keys)
            self.keys = []

    def __del__(self) -> None:
        # The loop left early (break, return, an exception): its requests not yet started go.
        try:
            self.end()
        except Exception:  # noqa: BLE001, S110 - at interpreter exit the pool may be gone
            pass


def materialised(iterable: Any) -> bool:
    """A non-empty collection whose items are known without consuming anything."""
    return type(iterable) in MATERIALISED and len(iterable) > 0


def bind(pattern: Pattern, value: Any, bound: dict[str, Any]) -> None:
    """Bind `value` to the loop target as the loop would, when it unpacks only tuples and lists
    (a program's own iterable could run code while unpacking)."""
    if isinstance(pattern, str):
        bound[pattern] = value
        return
    if type(value) not in (tuple, list) or len(value) != len(pattern):
        raise NotAhead
    for part, element in zip(pattern, value, strict=True):
        bind(part, element, bound)


def evaluate(recipe: Recipe, bound: dict[str, Any], frame: FrameType) -> Any:
    """The value of an argument recipe, reading names and data without running program code."""
    kind = recipe[0]
    if kind == "const":
        return recipe[1]
    if kind == "name":
        name = str(recipe[1])
        if name in bound:
            return bound[name]
        for scope in (frame.f_locals, frame.f_globals, frame.f_builtins):
            if name in scope:
                return scope[name]
        raise NotAhead
    if kind == "tuple":
        return tuple(evaluate(part, bound, frame) for part in recipe[1])  # type: ignore[union-attr]
    if kind == "item":
        container = evaluate(recipe[1], bound, frame)  # type: ignore[arg-type]
        key = evaluate(recipe[2], bound, frame)  # type: ignore[arg-type]
        if type(container) in _INDEXED and type(key) is int:
            try:
                return container[key]
            except IndexError:
                raise NotAhead from None
        # Every key plain, not only this one: a lookup compares it with stored keys of equal hash,
        # and a program's key type would run its __eq__ ahead of time.
        if type(container) is dict and _plain_key(key) and len(container) <= PLAIN_DICT_LIMIT and all(map(_plain_key, container)):
            if key not in container:
                raise NotAhead
            return container[key]
        raise NotAhead
    if kind == "attr":
        return _instance_attribute(evaluate(recipe[1], bound, frame), str(recipe[2]))  # type: ignore[arg-type]
    raise NotAhead


def _plain_key(key: Any) -> bool:
    """A dict key whose hash and equality run no program code."""
    if type(key) is tuple:
        return all(_plain_key(part) for part in key)
    return type(key) in _SCALARS


def _instance_attribute(value: Any, name: str) -> Any:
    """`value.name` when it is a plain instance attribute: the class defines no attribute of that
    name (no property, no descriptor) and no custom attribute lookup."""
    cls = type(value)
    for klass in cls.__mro__:
        if klass is object:
            continue
        namespace = vars(klass)
        # Every class with instance dicts has a `__dict__` descriptor of its own; only another is custom.
        custom_dict = "__dict__" in namespace and not isinstance(namespace["__dict__"], GetSetDescriptorType)
        if name in namespace or "__getattribute__" in namespace or "__getattr__" in namespace or custom_dict:
            raise NotAhead
    try:
        instance = object.__getattribute__(value, "__dict__")
    except AttributeError:
        raise NotAhead from None
    if type(instance) is not dict or name not in instance:
        raise NotAhead
    return instance[name]


def copied(value: Any) -> Any:
    """A copy of plain data (scalars, and lists, tuples, dicts, sets of them), so that a request in
    flight never sees the program change its arguments; NotAhead for anything else."""
    budget = [COPY_LIMIT]

    def copy(current: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or depth > 50:
            raise NotAhead
        kind = type(current)
        if kind in _SCALARS:
            return current
        if kind in (list, tuple):
            return kind(copy(element, depth + 1) for element in current)
        if kind in (set, frozenset):
            if not all(_plain_key(element) for element in current):
                raise NotAhead
            return kind(current)
        if kind is dict:
            if not all(_plain_key(k) for k in current):
                raise NotAhead
            return {k: copy(v, depth + 1) for k, v in current.items()}
        raise NotAhead

    return copy(value, 0)
