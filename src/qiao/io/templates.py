"""Import templates: an .xlsx a user fills in and uploads again.

One column per field a spreadsheet cell can fill — live, writable, made out of text:
sub-forms, files and computed fields are left out — headed by the field's label in form
order (so the import maps every column by itself), a sample row showing what a value
looks like, a dropdown on select (and yes/no) columns, a note on required headers, and
text-formatted columns for phones and ID numbers so Excel does not turn them into
1.38E+10. Choices that do not fit in a dropdown's 255-character list go to a hidden
sheet the dropdown refers to.

The sample values are the field types' own (``FieldType.sample_input``).
"""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from qiao.context import Ctx
from qiao.forms.fields.base import FieldType, Storage, registry
from qiao.forms.model import FieldMeta, FormMeta
from qiao.i18n import translate

_INLINE_LIMIT = 255  # Excel's limit on a literal validation list
_LAST_ROW = 1_048_575
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _types_with_a_sample() -> tuple[str, ...]:
    """Keys of the types whose fields have a sample whatever their settings (a select
    without options has none)."""
    ctx = Ctx(user=None)
    keys = []
    for ftype in registry.all():
        if type(ftype).sample_input is FieldType.sample_input:
            continue
        fm = FieldMeta(0, 0, ftype.key, ftype.key, ftype.key, ftype.settings_model(), "")
        if ftype.sample_input(fm, ctx) is not None:
            keys.append(ftype.key)
    return tuple(keys)


#: the types every field of which gets a sample, whatever its settings (a check that
#: each type reads its own sample back goes over these)
SAMPLES = _types_with_a_sample()


def template_fields(form: FormMeta) -> list[FieldMeta]:
    """The fields a spreadsheet cell can fill, in form order."""
    out = []
    for fm in form.live_fields:
        ftype = fm.ftype
        if fm.system or ftype.internal or not ftype.writable or not ftype.accepts_conversion:
            continue
        if fm.storage is Storage.CHILD:
            continue
        out.append(fm)
    return out


def import_template(form: FormMeta, ctx: Ctx, locale: str) -> bytes:
    """The template workbook for ``form`` with texts in ``locale``."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet_name = _SHEET_NAME.sub("", form.name).strip()[:31] or translate(
        "import_template_sheet", locale
    )
    sheet = book.add_worksheet(sheet_name)
    formats = {
        "header": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"}
        ),
        "required": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_color": "#C00000"}
        ),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "text": book.add_format({"num_format": "@"}),
        "wrap": book.add_format({"text_wrap": True}),
    }
    list_name = translate("import_template_lists", locale)
    lists = _ListSheet(book, list_name if list_name != sheet_name else f"{list_name}_")
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 22)
    fields = template_fields(form)
    sample_ctx = ctx if ctx.locale == locale else dataclasses.replace(ctx, locale=locale)
    for col, fm in enumerate(fields):
        header = formats["required"] if fm.required else formats["header"]
        sheet.write_string(0, col, fm.label, header)
        sample = fm.ftype.sample_input(fm, sample_ctx)
        if sample is None:
            sample = ""
        choices = fm.ftype.template_choices(fm, sample_ctx)
        if choices and fm.storage is Storage.COLUMN:
            _dropdown(sheet, col, choices, lists, locale)
        _write_sample(sheet, col, fm, sample, formats)
        if note := _note(fm, choices, locale):
            sheet.write_comment(0, col, note, {"x_scale": 1.5, "y_scale": 1.2})
        sheet.set_column(col, col, _width(fm.label, sample), _column_format(fm, formats))
    if fields:
        sheet.write_comment(1, 0, translate("import_template_sample", locale), {"x_scale": 1.5})
    book.close()
    return out.getvalue()


def _write_sample(
    sheet: Worksheet, col: int, fm: FieldMeta, sample: Any, formats: dict[str, Any]
) -> None:
    if isinstance(sample, datetime):
        sheet.write_datetime(1, col, sample, formats["datetime"])
    elif isinstance(sample, date):
        sheet.write_datetime(
            1, col, datetime(sample.year, sample.month, sample.day), formats["date"]
        )
    elif isinstance(sample, int | float):
        sheet.write_number(1, col, sample)
    elif sample:
        fmt = formats["wrap"] if "\n" in sample else _column_format(fm, formats)
        sheet.write_string(1, col, sample, fmt)


def _column_format(fm: FieldMeta, formats: dict[str, Any]) -> Any:
    name = fm.ftype.template_format
    return formats[name] if name else None


def _note(fm: FieldMeta, choices: list[str], locale: str) -> str:
    lines = []
    if fm.required:
        lines.append(translate("import_template_required", locale))
    if choices and fm.storage is not Storage.COLUMN:
        shown = "、".join(choices[:30]) + ("…" if len(choices) > 30 else "")
        lines.append(translate("import_template_multi", locale, {"choices": shown}))
    if fm.settings.description:
        lines.append(fm.settings.description[:500])
    return "\n".join(lines)


def _width(label: str, sample: Any) -> float:
    """Column width in characters, CJK counted double, between 10 and 50."""

    def chars(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    # a blank sample has no lines: the label alone decides
    longest = max([chars(label) + 4, *(chars(line) + 2 for line in str(sample).splitlines())])
    return float(min(max(longest, 10), 50))


class _ListSheet:
    """A hidden sheet holding long choice lists, one column per field, created on use."""

    def __init__(self, book: xlsxwriter.Workbook, name: str) -> None:
        self.book = book
        self.name = name[:31]
        self.sheet: Worksheet | None = None
        self.columns = 0

    def add(self, choices: list[str]) -> str:
        if self.sheet is None:
            self.sheet = self.book.add_worksheet(self.name)
            self.sheet.hide()
        col = self.columns
        self.columns += 1
        for row, label in enumerate(choices):
            self.sheet.write_string(row, col, label)
        letter = xl_col_to_name(col)
        return f"='{self.name}'!${letter}$1:${letter}${len(choices)}"


def _dropdown(
    sheet: Worksheet, col: int, choices: list[str], lists: _ListSheet, locale: str
) -> None:
    options: dict[str, Any] = {
        "validate": "list",
        "error_type": "warning",
        "error_title": translate("import_template_choices", locale),
        "error_message": translate("import_template_choices", locale),
    }
    inline = ",".join(choices)
    if len(inline) <= _INLINE_LIMIT and not any("," in c or '"' in c for c in choices):
        options["source"] = choices
    else:
        options["source"] = lists.add(choices)
    sheet.data_validation(1, col, _LAST_ROW, col, options)
