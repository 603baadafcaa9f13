"""docs/formulas.md, generated from the function registry (``docs/make_formula_docs.py``).

Every function's signature, summaries and examples come from its registration, and
the examples are the ones the test suite runs, so the reference cannot drift from the
behaviour; a test checks the committed file is current.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from qiao.formula.registry import Category, FunctionDef, load_all

_CATEGORIES: dict[Category, tuple[str, str]] = {
    Category.MATH: ("数学", "Math"),
    Category.AGGREGATE: ("汇总（区域与条件）", "Aggregates (ranges and criteria)"),
    Category.LOGIC: ("逻辑", "Logic"),
    Category.INFO: ("信息", "Information"),
    Category.TEXT: ("文本", "Text"),
    Category.DATE: ("日期与时间", "Date and time"),
    Category.CHINA: ("中国本地", "China"),
}

_INTRO = '''\
# Formulas · 公式

qiao has one expression language, used by formula fields, default values, validation
rules, visibility and linkage conditions. It is Excel's formula language: the same
operators, the same functions, and the same results — error values and blanks
included — for the same formula and data. This file is generated from the function
registry by `docs/make_formula_docs.py`; every example below is run by the test suite.

qiao 只有一种表达式语言，公式字段、默认值、校验规则、显示与联动条件都用它。它就是
Excel 的公式语言：相同的运算符、相同的函数，对相同的数据得到相同的结果（包括错误值和空值）。

## Syntax · 语法

| What | Examples | Notes |
|---|---|---|
| Numbers | `12`, `1.5`, `.5`, `1e3`, `50%` | exact decimals; shown with at most 15 significant digits, as Excel |
| Text | `"北京"`, `"say ""hi"""` | a double quote inside text is written twice |
| Logical values | `TRUE`, `false` | case-insensitive |
| Error values | `#N/A`, `#DIV/0!`, `#VALUE!`, `#NAME?`, `#NUM!`, `#REF!`, `#NULL!` | |
| Fields | `amount`, `{金额}`, `金额` | by key, or by label in braces (the editor shows labels, keys are stored); a label of Chinese characters may be typed without braces |
| Sub-form columns | `lines.qty`, `{明细}.{数量}` | a *range*: one value per row |
| Related records | `customer.city`, `{客户}.{城市}` | a range when the relation holds many records |
| Calls | `ROUND(x, 2)`, `sum(a, b)` | function names are case-insensitive |

Operators, loosest first (all left-associative, as in Excel):

| Operators | Meaning |
|---|---|
| `=` `<>` `<` `>` `<=` `>=` | comparison (text compared case-insensitively) |
| `&` | text concatenation |
| `+` `-` | addition, subtraction |
| `*` `/` | multiplication, division |
| `^` | power (`2^3^2` is 64, as in Excel) |
| `%` | percent (postfix: `50%` is 0.5) |
| `-` `+` (prefix) | negation (`-2^2` is 4, as in Excel) |

Full-width punctuation typed with a Chinese input method — `（ ） ， “ ” ＋ ＝` and the
ideographic space — is accepted and read as its ASCII counterpart; a leading `=`
(pasted from Excel) is ignored. A formula has at most 8192 characters and 150 levels
of nesting.

中文输入法打出的全角符号（（ ） ， “ ” ＋ ＝ 和全角空格）会按半角理解；从 Excel 粘贴的开头的 `=` 会被忽略。

### Ranges · 区域

A sub-form column or a field of several related records is a range. Operators work on
ranges element by element, like Excel arrays, so `SUM(lines.qty*lines.price)` is the
total of the lines; but a range must end up in a function that takes ranges (SUM,
COUNTIF, …). `lines.qty + 1` on its own is the design-time error "range not allowed".

子表单的一列或多条关联记录的某个字段是一个“区域”。运算符对区域逐项计算，但区域最终必须交给
SUM、COUNTIF 等汇总函数。

## Blanks · 空值

An empty field is *blank*. As in Excel, blank is 0 in arithmetic, `""` in `&`, FALSE in
logic, and it equals 0, `""` and FALSE. `ISBLANK` tells blank from empty text.
Aggregates skip blanks (`AVERAGE` of 2, blank, 4 is 3; `COUNT` does not count them,
`COUNTBLANK` does).

空字段在计算中当作 0、空文本或 FALSE；汇总函数跳过空值。

## Errors · 错误值

Errors are values: `#DIV/0!` (division by zero), `#VALUE!` (text where a number is
needed, e.g. `"abc"+1`), `#NUM!` (a number out of range, `SQRT(-1)`), `#N/A` (no value,
`NA()`, an IFS with no true condition), `#NAME?`. An error flows through operators and
functions — the first one, left to right, wins — until `IFERROR`, `IFNA` or `ISERROR`
catches it. Design-time problems (unknown field, unknown function, wrong number of
arguments, a syntax error) are not error values: the formula cannot be saved, and the
editor underlines the part that is wrong.

错误值会随计算传递，直到被 IFERROR、IFNA 或 ISERROR 捕获。未知字段、未知函数、参数个数错误、
语法错误在设计时就会提示，并标出出错的位置。

## Differences from Excel · 与 Excel 的差异

- Dates are typed values, not serial numbers: `start + 30` is a date, `end - start` a
  number of days, as in Excel; but a date turned into text is ISO (`2024-03-05`), not
  its serial (45356), and text dates are read as ISO (`"2024-03-05"`, also
  `2024/3/5` and `2024年3月5日`).
- Comparing a date with text that reads as a date compares the dates
  (`due > "2024-01-01"`); Excel would rank any text above every date.
- Numbers are exact decimals (Excel uses binary floating point): `0.1+0.2` is exactly
  0.3. What is compared and shown keeps 15 significant digits, as in Excel; functions
  that cut a number (INT, ROUNDDOWN, MOD, …) round it to those 15 digits first, so
  `INT(1/3*3)` is 1 as in Excel.
- Numbers beyond a double's range (about 1e308) are #NUM!, as in Excel; a number
  turned into text is written out without an exponent (`10^20 & ""` is
  `100000000000000000000`, Excel writes `1E+20`).
- A formula that is just a blank reference gives blank (Excel shows 0).
- A single-field reference given to SUM/AVERAGE/… behaves like a one-cell reference in
  Excel (text and logical values in it are ignored); values typed directly are coerced.
- No cell addresses, array constants (`{1,2,3}`), the intersection operator, R1C1 or
  volatile functions other than TODAY and NOW; RAND is not offered (results are stored).
- Text comparison ignores case and orders by Unicode code point (Excel uses its locale's
  collation); COUNTIF's `*`, `?` and `~` wildcards are as in Excel.
- CEILING and FLOOR accept one argument (significance 1), as LibreOffice does.

## Functions · 函数
'''


def _value_text(value: Any) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _values(values: Mapping[str, Any]) -> str:
    if not values:
        return ""
    return "; ".join(f"`{key}` = {_value_text(value)}" for key, value in values.items())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _function(definition: FunctionDef) -> list[str]:
    lines = [
        f"### {definition.name}",
        "",
        f"`{definition.signature()}` → {definition.returns}",
        "",
        f"- {definition.summary['zh-CN']}",
        f"- {definition.summary['en']}",
        "",
        "| Formula | With | Result |",
        "|---|---|---|",
    ]
    for example in definition.examples:
        lines.append(
            f"| `{_cell(example.formula)}` | {_cell(_values(example.values))} "
            f"| `{_cell(example.result)}` |"
        )
    lines.append("")
    return lines


def render() -> str:
    library = load_all().all()
    lines = [_INTRO]
    by_category: dict[Category, list[FunctionDef]] = {}
    for definition in library:
        by_category.setdefault(definition.category, []).append(definition)
    lines.append(f"{len(library)} functions. 共 {len(library)} 个函数。\n")
    for category, (zh, en) in _CATEGORIES.items():
        members = by_category.get(category, [])
        if members:
            names = ", ".join(f"[{d.name}](#{d.name.lower().replace('.', '')})" for d in members)
            lines.append(f"- **{en} · {zh}**: {names}")
    lines.append("")
    for category, (zh, en) in _CATEGORIES.items():
        members = by_category.get(category, [])
        if not members:
            continue
        lines.append(f"## {en} · {zh}\n")
        for definition in members:
            lines.extend(_function(definition))
    return "\n".join(lines).rstrip() + "\n"
