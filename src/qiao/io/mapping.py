"""Matching spreadsheet headers to form fields.

Headers are compared by a key that ignores what people vary without meaning anything:
width (全角/半角), case, spaces, punctuation, a trailing required marker ("客户名称*")
and a bracketed note ("电话(手机)", "金额（元）"). Failing that, by toneless pinyin, so
"kehumingcheng" or a header typed with a different character of the same sound finds
its field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qiao.forms.model import FieldMeta, FormMeta

#: a bracketed note at the end of a header: 电话(手机), 金额（元）, 日期[必填], 姓名【必填】
_NOTE = re.compile(r"\s*[(\[{（【〔<《][^()\[\]{}（）【】〔〕<>《》]*[)\]}）】〕>》]\s*$")
_REQUIRED = re.compile(r"\s*[*＊※]+\s*$|^\s*[*＊※]+\s*")


#: ASCII characters that are not letters or digits (all of them punctuation, symbols,
#: spaces or controls: never kept by :func:`label_key`), dropped in one regex pass
_ASCII_DROP = re.compile(r"[\x00-/:-@\[-`{-\x7f]+")
#: characters that are all letters or digits (Unicode categories L*/N*): a key made only
#: of these is already final, without looking up each character's category
_ALL_KEPT = re.compile(r"[0-9a-z\u4e00-\u9fff]*")


def plain_label_key(text: str) -> str:
    """:func:`label_key` without its cache, for callers that key many distinct values
    (de-duplication keys every company name of a file): most keys are ASCII letters,
    digits and common Chinese characters, which skip the per-character category test."""
    norm = _ASCII_DROP.sub("", unicodedata.normalize("NFKC", text).lower())
    if _ALL_KEPT.fullmatch(norm):
        return norm
    category = unicodedata.category
    return "".join([ch for ch in norm if category(ch)[0] in "LN"])


@lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """NFKC, lower case, without spaces, punctuation or symbols (Chinese ones included)."""
    return plain_label_key(text)


def header_key(text: str) -> str:
    """:func:`label_key` of a header without its required marker and a trailing note;
    a header that is only a note keeps it ("(备注)" stays "备注")."""
    stripped = _REQUIRED.sub("", text)
    bare = _NOTE.sub("", stripped)
    return label_key(bare) or label_key(stripped)


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> str:
    """Toneless pinyin of :func:`label_key`: "客户名称" → "kehumingcheng" (pypinyin is
    imported on first use: it loads a large dictionary)."""
    from pypinyin import Style, lazy_pinyin

    key = label_key(text)
    return "".join(lazy_pinyin(key, style=Style.NORMAL, errors="default"))


def writable_fields(form: FormMeta) -> list[FieldMeta]:
    """The live fields an import can fill (sub-forms left out)."""
    return [
        fm
        for fm in form.live_fields
        if fm.ftype.writable and not fm.system and fm.type != "subform"
    ]


def propose_mapping(
    columns: list[str], form: FormMeta, saved: dict[str, str] | None = None
) -> dict[int, str | None]:
    """Column index → field key (or None), each field used at most once. In order of
    trust: a saved mapping (``label_key(header)`` → key), the same label, the same
    label without a required marker or note, the same pinyin, the field key itself."""
    fields = writable_fields(form)
    keys = {fm.key for fm in fields}
    result: dict[int, str | None] = dict.fromkeys(range(len(columns)))
    used: set[str] = set()

    def assign(
        rules: list[dict[str, str]],
        key_of: Callable[[str], str],
        texts: Callable[[str], list[str]] = lambda header: [header],
    ) -> None:
        for index, header in enumerate(columns):
            if result[index] is not None:
                continue
            for text in texts(header):
                key = _lookup(rules, key_of(text), keys, used)
                if key is not None:
                    result[index] = key
                    used.add(key)
                    break

    if saved:
        assign([dict(saved)], label_key)
    by_label: dict[str, str] = {}
    by_header: dict[str, str] = {}
    by_pinyin: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for fm in fields:
        by_label.setdefault(label_key(fm.label), fm.key)
        by_header.setdefault(header_key(fm.label), fm.key)
        by_key.setdefault(fm.key.lower(), fm.key)
    assign([by_label], label_key)
    assign([by_label, by_header], header_key)
    for fm in fields:
        if fm.key not in used:
            by_pinyin.setdefault(_pinyin_of(fm.label), fm.key)
    rules: list[tuple[list[dict[str, str]], Callable[[str], str]]] = [
        ([by_pinyin], _pinyin_of),
        ([by_key], _key_of),
    ]
    for tables, key_of in rules:
        assign(tables, key_of)
    # the last resort: a grouped header ("联系方式-电话") by its child label, after every
    # whole header had its turn, with the same rules in the same order of trust; columns
    # left to right, so of "手机-号码" and "座机-号码" the first takes the field
    for tables, key_of in [([by_label, by_header], header_key), *rules]:
        assign(tables, key_of, child_labels)
    return result


def child_labels(header: str) -> list[str]:
    """The parts of a grouped header after a "-", longest first: a sheet with merged
    group headers is read as "组-子" ("联系方式-电话", see ``readers._column_label``), and
    the child alone is what names the field. Every "-" is a candidate cut, so a child
    label that has one itself ("联系方式-E-mail") is tried whole before its tail. The
    required marker and trailing note of the whole header are set aside first: the
    "(2)" that tells two equal headers apart is not part of the child's label."""
    stripped = _REQUIRED.sub("", header)
    bare = _NOTE.sub("", stripped) or stripped
    parts = bare.split("-")
    return [child for i in range(1, len(parts)) if (child := "-".join(parts[i:]).strip())]


def _lookup(
    tables: list[dict[str, str]], wanted: str, keys: set[str], used: set[str]
) -> str | None:
    """The first field key of ``keys``, not used yet, that a table gives ``wanted`` (an
    empty text finds none)."""
    if not wanted:
        return None
    for table in tables:
        key = table.get(wanted)
        if key is not None and key in keys and key not in used:
            return key
    return None


def _pinyin_of(text: str) -> str:
    return pinyin_key(header_key(text))


def _key_of(text: str) -> str:
    return text.strip().lower()
