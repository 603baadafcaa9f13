"""The message catalogue covers every error code of the code base, in both languages.

The source is read with ``ast``: a code is a string literal given where a function or
class takes its ``code`` parameter (QiaoError and its subclasses, ErrorDetail,
FieldValueError, and helpers such as ``parse_id(value, code)``), a class attribute
``code = "..."``, or a literal assigned to a variable later passed as the code.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import qiao
from qiao.i18n import negotiate, translate
from qiao.i18n.catalog import MESSAGES

SRC = Path(qiao.__file__).parent
LOCALES = ("zh-CN", "en")


@dataclass(frozen=True)
class Use:
    code: str
    where: str  # file:line
    #: the keyword arguments given with the code (None when not knowable statically)
    params: frozenset[str] | None = None


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(), str(p))) for p in sorted(SRC.rglob("*.py"))]


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _code_positions(modules: list[tuple[Path, ast.Module]]) -> tuple[dict[str, int], set[str]]:
    """Callable name -> the position of its ``code`` argument; and the error classes."""
    positions: dict[str, int] = {}
    bases: dict[str, list[str]] = {}
    for _, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = [a.arg for a in node.args.posonlyargs + node.args.args]
                if args and args[0] in ("self", "cls"):
                    args = args[1:]
                if "code" in args and node.name != "__init__":
                    positions[node.name] = args.index("code")
            elif isinstance(node, ast.ClassDef):
                bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        args = [a.arg for a in item.args.args][1:]
                        if "code" in args:
                            positions[node.name] = args.index("code")
                if any(
                    isinstance(d, ast.Name) and d.id == "dataclass" for d in node.decorator_list
                ):
                    fields = [
                        item.target.id
                        for item in node.body
                        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                    ]
                    if "code" in fields:
                        positions[node.name] = fields.index("code")
    changed = True
    while changed:  # subclasses without their own __init__ take the code where the base does
        changed = False
        for name, parents in bases.items():
            if name not in positions:
                for parent in parents:
                    if parent in positions:
                        positions[name] = positions[parent]
                        changed = True
                        break
    errors = {"QiaoError"}
    while new := {n for n, parents in bases.items() if errors & set(parents)} - errors:
        errors |= new
    return positions, errors


def _literals(node: ast.AST, constants: dict[str, ast.AST]) -> Iterator[str]:
    """String literals an expression can evaluate to (dict keys are not values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body, constants)
        yield from _literals(node.orelse, constants)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _literals(value, constants)
    elif isinstance(node, ast.Call):
        # e.g. {404: "route_not_found"}.get(status, "bad_request") or CODES.get(k, "x")
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            yield from _literals(node.func.value, constants)
            for arg in node.args[1:]:
                yield from _literals(arg, constants)
    elif isinstance(node, ast.Name) and node.id in constants:
        yield from _literals(constants[node.id], constants)


def _assignments(scope: ast.AST) -> dict[str, list[ast.AST]]:
    found: dict[str, list[ast.AST]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


def _calls(
    scope: ast.AST,
    positions: dict[str, int],
    errors: set[str],
    constants: dict[str, ast.AST],
    rel: Path,
) -> Iterator[Use]:
    assigned = _assignments(scope)
    for node in ast.walk(scope):
        if not isinstance(node, ast.Call) or _callee(node) not in positions:
            continue
        name = str(_callee(node))
        pos = positions[name]
        given = [node.args[pos]] if len(node.args) > pos else []
        given += [k.value for k in node.keywords if k.arg == "code"]
        keywords = frozenset(k.arg for k in node.keywords if k.arg)
        has_star = any(k.arg is None for k in node.keywords)
        for arg in given:
            exprs: list[ast.AST] = [arg]
            if isinstance(arg, ast.Name):
                module_level = [constants[arg.id]] if arg.id in constants else []
                exprs = assigned.get(arg.id, []) or module_level
            # an exception raised with a literal code: its keywords are the message params
            direct = isinstance(arg, ast.Constant) and not has_star and name in errors
            params = keywords - {"details", "status", "headers", "code"} if direct else None
            for expr in exprs:
                for code in _literals(expr, constants):
                    yield Use(code, f"{rel}:{node.lineno}", params)


def scan() -> list[Use]:
    modules = _modules()
    positions, errors = _code_positions(modules)
    uses: set[Use] = set()
    for path, tree in modules:
        rel = path.relative_to(SRC.parent)
        constants: dict[str, ast.AST] = {
            t.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        scopes: list[ast.AST] = [tree]
        scopes += [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for scope in scopes:
            uses.update(_calls(scope, positions, errors, constants, rel))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.Assign)
                        and [t.id for t in item.targets if isinstance(t, ast.Name)] == ["code"]
                        and isinstance(item.value, ast.Constant)
                        and isinstance(item.value.value, str)
                    ):
                        uses.add(Use(item.value.value, f"{rel}:{item.lineno}"))
    return sorted(uses, key=lambda u: (u.where, u.code))


USES = scan()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_scan_finds_codes_of_every_kind() -> None:
    codes = {u.code for u in USES}
    # one of each way a code is given: exception argument, class attribute, ErrorDetail,
    # FieldValueError, a helper's code parameter, a variable, the HTTP error mapping
    expected = {
        "csrf_failed",  # Forbidden("csrf_failed")
        "login_failed",  # class attribute
        "not_authenticated",  # class attribute of a base class
        "version_conflict",  # Conflict("version_conflict", current=...)
        "password_too_short",  # ErrorDetail(field, "password_too_short", ...)
        "not_number",  # FieldValueError("not_number")
        "not_record_id",  # parse_id(value, "not_record_id")
        "filter_shape",  # self.fail(path, "filter_shape")
        "unknown_field",  # code = "read_only" if ... else "unknown_field"
        "route_not_found",  # {404: "route_not_found", ...}.get(...)
        "extra_forbidden",  # _PYDANTIC_CODES
        "body_too_large",  # error_body("body_too_large", ...)
        "invalid_json",  # error_response(request, 400, "invalid_json")
    }
    assert expected <= codes, expected - codes
    assert len(codes) > 80
    assert any(u.params is not None for u in USES if u.code == "version_conflict")


def test_every_code_has_both_languages() -> None:
    missing = sorted(
        {f"{u.code} ({u.where})" for u in USES if set(LOCALES) - set(MESSAGES.get(u.code, {}))}
    )
    assert not missing, "codes without a zh-CN and an en message:\n" + "\n".join(missing)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_catalogue_entry(code: str) -> None:
    entry = MESSAGES[code]
    assert set(entry) == set(LOCALES), code
    for locale in LOCALES:
        assert entry[locale].strip(), (code, locale)
    assert placeholders(entry["zh-CN"]) == placeholders(entry["en"]), code
    assert entry["zh-CN"] != entry["en"]


def test_top_level_errors_give_their_placeholders() -> None:
    """A literal code raised with keyword params must give every placeholder, or the
    caller would read "{key}" in the message."""
    problems = []
    for use in USES:
        if use.params is None or use.code not in MESSAGES:
            continue
        needed = placeholders(MESSAGES[use.code]["en"])
        if "op" in use.params:
            needed.discard("op_label")  # translate() names the operation in the locale
        if needed - use.params:
            problems.append(f"{use.where}: {use.code} lacks {sorted(needed - use.params)}")
    assert not problems, "\n".join(problems)


# ----- translate and negotiate ----------------------------------------------------------
def test_translate() -> None:
    assert translate("not_found", "zh-CN") == "资源不存在"
    assert translate("not_found", "en") == "Not found"
    assert translate("not_found", "fr") == "资源不存在"  # unknown locale: zh-CN
    assert translate("too_long", "en", {"label": "Name", "max": 5}) == (
        '"Name" allows at most 5 characters'
    )
    assert translate("no_such_code", "en") == "no_such_code"
    # a missing parameter leaves the template rather than failing
    assert translate("too_long", "en", {"label": "Name"}) == MESSAGES["too_long"]["en"]
    assert translate("filter_shape", "en") == (
        "A filter node must be and/or/not or {field, op, value}"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN", "zh-CN"),
        ("zh-TW,zh;q=0.9", "zh-CN"),
        ("zh", "zh-CN"),
        ("fr-FR", "zh-CN"),
        ("*", "zh-CN"),
        ("fr-FR,en;q=0.5", "en"),
        ("fr;q=0.9, zh;q=0.8, en;q=0.7", "zh-CN"),
        ("zh;q=0.5, en;q=0.8", "en"),
        ("en;q=0.1, zh-CN", "zh-CN"),
        ("en, zh", "en"),  # equal weights: the first wins
        ("zh, en", "zh-CN"),
        ("en;q=abc, zh;q=0.1", "zh-CN"),  # a malformed weight counts as 0
        (" en ; q=0.8 ", "en"),
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_negotiate_default() -> None:
    assert negotiate(None, "en") == "en"
    assert negotiate("de, fr", "en") == "en"
    assert negotiate("zh", "en") == "zh-CN"
