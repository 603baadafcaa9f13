"""``qiao export --form ID``: a form's records to XLSX or CSV from the command line.

The same export path as the web (``qiao.io.exports``): the acting user's permissions,
scope, hidden fields and masking apply and the export is audited; the file is written
in flat memory with a Rich progress bar (the count is known up front).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from qiao.context import Ctx
from qiao.errors import QiaoError
from qiao.i18n import translate
from qiao.org import users
from qiao.query.filters import parse_filter_param


def locale() -> str:
    """zh-CN when the terminal's language is Chinese (``QIAO_LOCALE`` or ``LANG``)."""
    lang = os.environ.get("QIAO_LOCALE") or os.environ.get("LANG") or ""
    return "zh-CN" if lang.lower().startswith("zh") else "en"


def run(
    rt: Any,
    console: Any,
    form_id: int,
    *,
    format: str = "xlsx",
    view: int | None = None,
    template: int | None = None,
    filter: str | None = None,
    sort: str | None = None,
    fields: str | None = None,
    q: str | None = None,
    subforms: str | None = None,
    output: Path | None = None,
    username: str | None = None,
    base_url: str = "",
    show_progress: bool = True,
) -> tuple[Path, int]:
    """The command's work: (file written, records). Raises QiaoError on failure."""
    from qiao.io.exports import ExportRequest, export_to_file

    loc = locale()
    tree = parse_filter_param(filter)
    with rt.db.read() as conn:
        user = users.acting_user(conn, username)
    ctx = Ctx(user=user, locale=loc, tz=rt.tz)
    req = ExportRequest(
        format=format,  # type: ignore[arg-type]  # checked by the export
        filter=tree,
        sort=sort,
        fields=[f.strip() for f in fields.split(",") if f.strip()] if fields else None,
        q=q,
        view_id=view,
        template_id=template,
        subforms=subforms,  # type: ignore[arg-type]
        base_url=base_url,
    )
    tmp = Path(str(output or "export") + ".part")
    columns = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, disable=not show_progress) as progress:
        task = progress.add_task(str(output or format), total=None)
        try:
            plan, done = export_to_file(
                rt,
                ctx,
                form_id,
                req,
                str(tmp),
                on_total=lambda n: progress.update(task, total=n),
                progress=lambda n: progress.update(task, completed=n),
            )
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    target = output or Path(plan.filename)
    tmp.replace(target)
    console.print(translate("export_done", loc, {"count": f"{done:,}", "path": str(target)}))
    return target, done


def register(app: typer.Typer, runtime: Callable[[], Any], console: Any) -> None:
    """Add the command to the `qiao` CLI; `runtime()` opens the configured Runtime."""

    @app.command("export")
    def export_command(
        form: Annotated[int, typer.Option("--form", help="The form's id")],
        format: Annotated[str, typer.Option("--format", help="xlsx or csv")] = "xlsx",
        view: Annotated[
            int | None, typer.Option(help="A saved view: its filter, sort and columns")
        ] = None,
        template: Annotated[int | None, typer.Option(help="An export template's id")] = None,
        filter: Annotated[
            str | None, typer.Option(help='JSON filter, e.g. {"field":"x","op":"eq","value":1}')
        ] = None,
        sort: Annotated[str | None, typer.Option(help="e.g. -amount,name")] = None,
        fields: Annotated[
            str | None, typer.Option(help="Field keys in order, e.g. name,phone")
        ] = None,
        q: Annotated[str | None, typer.Option("--q", help="Search text")] = None,
        subforms: Annotated[
            str | None, typer.Option(help="Sub-forms: sheets (xlsx), rows or count")
        ] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="File (default: form name + date)")
        ] = None,
        user: Annotated[
            str | None, typer.Option(help="Export as this user (default: the first admin)")
        ] = None,
        base_url: Annotated[
            str, typer.Option(help="Site address for file links, e.g. https://qiao.example.com")
        ] = "",
    ) -> None:
        """Export a form's records (what the user may see) to XLSX or CSV."""
        rt = runtime()
        loc = locale()
        try:
            run(
                rt,
                console,
                form,
                format=format,
                view=view,
                template=template,
                filter=filter,
                sort=sort,
                fields=fields,
                q=q,
                subforms=subforms,
                output=output,
                username=user,
                base_url=base_url,
            )
        except QiaoError as exc:
            messages = [translate(d.code, loc, d.params) for d in exc.details] or [
                translate(exc.code, loc, exc.params)
            ]
            for message in messages:
                console.print(f"[red]error:[/red] {message}")
            raise typer.Exit(code=1) from exc
