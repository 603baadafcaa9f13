"""``qiao import FILE --form ID``: the import wizard on the command line.

The command goes through the same service functions as the web wizard (create the
import, configure it, preview it, run it), acting as a user of the instance so that the
permission layer, validation, de-duplication and the audit log apply as they do in the
browser; only the job runs here, in this process, with a Rich progress bar.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from qiao.context import Ctx
from qiao.errors import BadRequest, ErrorDetail, NotFound, QiaoError
from qiao.i18n import translate
from qiao.org import users

ERRORS_SHOWN = 20


def locale() -> str:
    """zh-CN when the terminal's language is Chinese (``QIAO_LOCALE`` or ``LANG``)."""
    lang = os.environ.get("QIAO_LOCALE") or os.environ.get("LANG") or ""
    return "zh-CN" if lang.lower().startswith("zh") else "en"


def resolve_mapping(
    text: str, columns: list[dict[str, Any]], saved: list[dict[str, Any]]
) -> dict[str, str | None]:
    """``--mapping``: a saved mapping's name, or JSON ``{"<header or column number>":
    "<field key>" | null}`` (columns not named keep the proposed mapping). Returns the
    mapping by column index for ``configure``."""
    from qiao.io.mapping import header_key, label_key

    by_name = {m["name"]: m for m in saved}
    if text in by_name:
        stored: dict[str, Any] = by_name[text]["mapping"]
        out: dict[str, str | None] = {}
        for col in columns:
            label = str(col["label"])
            for key in (header_key(label), label_key(label)):
                if key in stored:
                    out[str(col["index"])] = stored[key]
                    break
        return out
    try:
        raw = json.loads(text)
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        raise BadRequest(
            "cli_import_mapping_unknown",
            details=[ErrorDetail("mapping", "cli_import_mapping_unknown", {"name": text})],
            name=text,
        )
    by_label = {str(c["label"]).strip(): int(c["index"]) for c in columns}
    by_key = {label_key(str(c["label"])): int(c["index"]) for c in columns}
    out = {}
    errors = []
    for name, key in raw.items():
        name = str(name).strip()
        if name in by_label:
            index = by_label[name]
        elif label_key(name) in by_key:
            index = by_key[label_key(name)]
        elif name.isdigit() and 1 <= int(name) <= len(columns):
            index = int(name) - 1  # a column number, as the spreadsheet counts them
        else:
            errors.append(ErrorDetail("mapping", "cli_import_mapping_column", {"column": name}))
            continue
        out[str(index)] = None if key in (None, "") else str(key)
    if errors:
        raise BadRequest("cli_import_mapping_column", details=errors, column=errors[0].params)
    return out


def _options(dedupe: str | None, fuzzy: bool, threshold: float, strategy: str) -> dict[str, Any]:
    keys = [k.strip() for k in (dedupe or "").split(",") if k.strip()]
    return {"dedupe_keys": keys, "fuzzy": fuzzy, "threshold": threshold, "strategy": strategy}


def _print_summary(console: Console, body: dict[str, Any], loc: str) -> None:
    summary = body.get("summary") or {}
    table = Table(title=translate("cli_import_summary", loc), show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key in (
        "rows",
        "valid",
        "errors",
        "duplicates_file",
        "duplicates_existing",
        "create",
        "update",
        "skip",
    ):
        table.add_row(translate(f"cli_import_summary_{key}", loc), str(summary.get(key, 0)))
    console.print(table)
    unknown = summary.get("unknown_options") or {}
    for field_key, values in unknown.items():
        console.print(
            translate(
                "cli_import_unknown_options",
                loc,
                {"field": field_key, "values": "、".join(map(str, values))},
            )
        )


def _print_errors(console: Console, preview: dict[str, Any], loc: str) -> None:
    rows = [r for r in preview.get("items", []) if r.get("errors")]
    if not rows:
        return
    table = Table(title=translate("cli_import_first_errors", loc))
    table.add_column(translate("cli_import_row", loc), justify="right")
    table.add_column(translate("cli_import_column", loc))
    table.add_column(translate("cli_import_value", loc))
    table.add_column(translate("cli_import_error", loc))
    shown = 0
    for row in rows:
        for err in row["errors"]:
            cell = row.get("cells", {}).get(err.get("field"), {})
            table.add_row(
                str(row["row_no"]),
                str(err.get("column") or err.get("field") or ""),
                str(cell.get("raw", "")),
                str(err.get("message") or err.get("code")),
            )
            shown += 1
            if shown >= ERRORS_SHOWN:
                break
        if shown >= ERRORS_SHOWN:
            break
    console.print(table)


def run(
    rt: Any,
    console: Console,
    path: Path,
    form_id: int,
    *,
    sheet: int | None = None,
    header_row: int | None = None,
    mapping: str | None = None,
    dedupe: str | None = None,
    fuzzy: bool = False,
    threshold: float = 0.9,
    strategy: str = "skip",
    username: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """The command's work; raises QiaoError with a code of the catalogue on failure.
    ``sheet`` and ``header_row`` are 1-based, as a spreadsheet user counts them."""
    from qiao.io import imports

    loc = locale()
    if not path.is_file():
        raise NotFound("cli_import_file_missing", name=str(path))
    with rt.db.read() as conn:
        user = users.acting_user(conn, username)
    ctx = Ctx(user=user, locale=loc, tz=rt.tz)
    body = imports.create_import(rt, ctx, form_id, path.name, path.read_bytes())
    import_id = int(body["id"])
    if sheet is not None or header_row is not None:
        first: dict[str, Any] = {}
        if sheet is not None:
            first["sheet"] = sheet - 1
        if header_row is not None:
            first["header_row"] = header_row - 1
        body = imports.configure(rt, ctx, import_id, first)
    changes: dict[str, Any] = {"options": _options(dedupe, fuzzy, threshold, strategy)}
    if mapping:
        chosen = resolve_mapping(mapping, body["columns"], body.get("saved_mappings") or [])
        changes["mapping"] = {**body["mapping"], **chosen}
    body = imports.configure(rt, ctx, import_id, changes)
    _print_summary(console, body, loc)
    if dry_run:
        _print_errors(console, imports.preview(rt, ctx, import_id, 0, 200, "errors"), loc)
        return body
    columns = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(translate("cli_import_progress", loc), total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        body = imports.run_sync(rt, ctx, import_id, progress=report)
    counts = body.get("counts") or {}
    console.print(
        translate(
            "cli_import_done",
            loc,
            {k: counts.get(k, 0) for k in ("created", "updated", "skipped", "failed")},
        )
    )
    if body.get("state") == "failed":
        raise BadRequest("cli_import_failed", error=body.get("error") or "")
    return body


def fail_messages(exc: QiaoError, loc: str) -> list[str]:
    return [translate(d.code, loc, d.params) for d in exc.details] or [
        translate(exc.code, loc, exc.params)
    ]


def register(app: typer.Typer, runtime: Callable[[], Any], console: Any) -> None:
    """Add the command to the `qiao` CLI; `runtime()` opens the configured Runtime."""

    @app.command("import")
    def import_command(
        file: Annotated[Path, typer.Argument(help=".xlsx, .xls, .csv, .ods or .txt file")],
        form: Annotated[int, typer.Option("--form", help="The form's id")],
        sheet: Annotated[
            int | None, typer.Option(min=1, help="Sheet number (1 = the first sheet)")
        ] = None,
        header_row: Annotated[
            int | None,
            typer.Option(min=1, help="Row number of the header (default: detected)"),
        ] = None,
        mapping: Annotated[
            str | None,
            typer.Option(
                help='A saved mapping\'s name, or JSON {"<header>": "<field key>" | null}'
            ),
        ] = None,
        dedupe: Annotated[
            str | None, typer.Option(help="Key fields for duplicates, e.g. name,phone")
        ] = None,
        fuzzy: Annotated[
            bool, typer.Option("--fuzzy", help="Fuzzy matching of company names")
        ] = False,
        threshold: Annotated[
            float, typer.Option(min=0.5, max=1.0, help="Similarity for fuzzy matches")
        ] = 0.9,
        strategy: Annotated[
            str, typer.Option(help="Rows matching an existing record: skip, update or create")
        ] = "skip",
        user: Annotated[
            str | None, typer.Option(help="Import as this user (default: the first admin)")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Only show the summary and the first errors")
        ] = False,
    ) -> None:
        """Import a spreadsheet into a form (cleansing, de-duplication, validation)."""
        rt = runtime()
        loc = locale()
        try:
            run(
                rt,
                console,
                file,
                form,
                sheet=sheet,
                header_row=header_row,
                mapping=mapping,
                dedupe=dedupe,
                fuzzy=fuzzy,
                threshold=threshold,
                strategy=strategy,
                username=user,
                dry_run=dry_run,
            )
        except QiaoError as exc:
            for message in fail_messages(exc, loc):
                console.print(f"[red]error:[/red] {message}")
            raise typer.Exit(code=1) from exc
        finally:
            rt.db.dispose()
