"""The function library's registry: one decorated Python function per formula function.

A definition carries everything the rest of qiao needs to know about a function: its
parameters (for the type checker's arity and range checks and the evaluator's
coercions), its result kind (to choose a formula field's storage), and its
documentation in both locales with examples. The examples are executed by the test
suite, so the docs cannot drift from the behaviour.

Adding a function is adding one decorated function to a module in
``qiao.formula.functions``; nothing else changes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Kind(enum.StrEnum):
    """What a parameter is coerced to before the call, and what a function returns."""

    NUMBER = "number"  # Decimal (to_number)
    TEXT = "text"  # str (to_text)
    BOOL = "bool"  # bool (to_bool)
    DATE = "date"  # date or datetime (to_date)
    DATETIME = "datetime"  # results only: a datetime
    ANY = "any"  # the value as it is (may be None; never an ErrorValue unless errors=True)


class Category(enum.StrEnum):
    MATH = "math"
    LOGIC = "logic"
    TEXT = "text"
    DATE = "date"
    AGGREGATE = "aggregate"  # over ranges: SUM, COUNTIF, …
    INFO = "info"  # ISBLANK, ISNUMBER, …
    CHINA = "china"  # RMB upper case, ID-card numbers


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind = Kind.ANY
    optional: bool = False
    #: the last parameter may repeat (SUM(a, b, c, …)); at least one unless optional
    variadic: bool = False
    #: accepts a range: the implementation gets a list (a scalar argument becomes a
    #: one-element list); without it a range argument is a type error at design time
    range: bool = False


@dataclass(frozen=True)
class Example:
    """``formula`` evaluated with ``values`` (field key -> value, as a formula sees it)
    displays as ``result`` (see ``values.display``)."""

    formula: str
    result: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionDef:
    name: str
    category: Category
    params: tuple[Param, ...]
    returns: Kind
    impl: Callable[..., Any]
    summary: Mapping[str, str]  # locale -> one sentence
    examples: tuple[Example, ...]
    #: the implementation gets ``(ctx, *thunks)``; each thunk evaluates one argument
    #: when called (IF, IFS, IFERROR, AND/OR short-circuit, SWITCH)
    lazy: bool = False
    #: the implementation gets the EvalContext as its first argument (TODAY, NOW)
    needs_ctx: bool = False
    #: the result changes with time alone (TODAY, NOW): stored values go stale
    volatile: bool = False
    #: error arguments reach the implementation instead of short-circuiting the call
    accepts_errors: bool = False
    #: for ANY-returning functions: the result kind given the argument kinds
    infer: Callable[[list[Kind]], Kind] | None = None
    #: arguments past the required ones come in groups of this size (IFS: condition and
    #: value; SUMIFS: range and criterion), checked at design time
    arg_step: int = 1

    def accepts_count(self, given: int) -> bool:
        """Whether a call may have ``given`` arguments."""
        high = self.max_args
        if given < self.min_args or (high is not None and given > high):
            return False
        return (given - self.min_args) % self.arg_step == 0

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not p.optional)

    @property
    def max_args(self) -> int | None:
        if self.params and self.params[-1].variadic:
            return None
        return len(self.params)

    def param_at(self, index: int) -> Param:
        """The parameter the ``index``-th argument binds to (variadics repeat)."""
        if index < len(self.params):
            return self.params[index]
        return self.params[-1]

    def signature(self) -> str:
        parts = []
        for p in self.params:
            text = f"{p.name}, …" if p.variadic else p.name
            parts.append(f"[{text}]" if p.optional else text)
        return f"{self.name}({', '.join(parts)})"


class FunctionRegistry:
    def __init__(self) -> None:
        self._functions: dict[str, FunctionDef] = {}

    def add(self, definition: FunctionDef) -> None:
        if definition.name in self._functions:
            raise ValueError(f"formula function {definition.name} registered twice")
        self._functions[definition.name] = definition

    def get(self, name: str) -> FunctionDef | None:
        return self._functions.get(name.upper())

    def all(self) -> list[FunctionDef]:
        return sorted(self._functions.values(), key=lambda d: (d.category, d.name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self._functions


functions = FunctionRegistry()


def function(
    name: str,
    category: Category,
    params: list[Param],
    returns: Kind,
    *,
    zh: str,
    en: str,
    examples: list[Example | tuple[str, str] | tuple[str, str, Mapping[str, Any]]],
    lazy: bool = False,
    needs_ctx: bool = False,
    volatile: bool = False,
    accepts_errors: bool = False,
    infer: Callable[[list[Kind]], Kind] | None = None,
    arg_step: int = 1,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated implementation as formula function ``name``.

    ``examples`` are ``Example`` or ``(formula, result[, values])`` tuples; give at least
    one.
    """
    if not examples:
        raise ValueError(f"{name}: give at least one example")

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        functions.add(
            FunctionDef(
                name=name.upper(),
                category=category,
                params=tuple(params),
                returns=returns,
                impl=impl,
                summary={"zh-CN": zh, "en": en},
                examples=tuple(e if isinstance(e, Example) else Example(*e) for e in examples),
                lazy=lazy,
                needs_ctx=needs_ctx,
                volatile=volatile,
                accepts_errors=accepts_errors,
                infer=infer,
                arg_step=arg_step,
            )
        )
        return impl

    return register


def load_all() -> FunctionRegistry:
    """Import every module of ``qiao.formula.functions`` (each registers its functions)."""
    import importlib
    import pkgutil

    global _loaded
    if _loaded:
        return functions
    package = importlib.import_module("qiao.formula.functions")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    _loaded = True
    return functions


_loaded = False
