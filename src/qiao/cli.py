"""The ``qiao`` command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from qiao import __version__
from qiao.config import Settings
from qiao.db.migrate import upgrade
from qiao.errors import QiaoError
from qiao.i18n import translate
from qiao.org import password_policy, users
from qiao.org.passwords import verify_password
from qiao.runtime import Runtime

app = typer.Typer(
    help="qiao — open-source no-code customer management platform",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Manage users", no_args_is_help=True)
app.add_typer(user_app, name="user")
audit_app = typer.Typer(help="The audit log (操作日志)", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
console = Console()
INITIAL_PASSWORD_FILE = "initial_admin_password"


def _version(value: bool) -> None:
    if value:
        console.print(f"qiao {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit"
        ),
    ] = False,
) -> None:
    """qiao command line."""


def _runtime() -> Runtime:
    settings = Settings()
    rt = Runtime.from_settings(settings)
    upgrade(rt.db.engine)
    return rt


def _fail(exc: QiaoError) -> typer.Exit:
    messages = [translate(d.code, "en", d.params) for d in exc.details] or [
        translate(exc.code, "en", exc.params)
    ]
    for message in messages:
        console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


def _create_user(
    rt: Runtime, username: str, password: str, admin: bool, display_name: str | None = None
) -> users.User:
    try:
        return rt.db.write(
            lambda c: users.create_user(
                c, username, password, is_admin=admin, display_name=display_name
            )
        )
    except QiaoError as exc:
        raise _fail(exc) from exc


@app.command()
def init(
    username: Annotated[str | None, typer.Option(help="Administrator's username")] = None,
    password: Annotated[str | None, typer.Option(help="Administrator's password")] = None,
) -> None:
    """Create the database and the first administrator."""
    rt = _runtime()
    with rt.db.read() as conn:
        if users.count_users(conn):
            console.print("qiao is already initialised (users exist).")
            raise typer.Exit(code=1)
    username = username or typer.prompt("Administrator username", default="admin")
    password = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _create_user(rt, username, password, True)
    console.print(f"Created administrator [bold]{user.username}[/bold].")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    admin: Annotated[bool, typer.Option("--admin", help="Make an administrator")] = False,
    display_name: Annotated[str | None, typer.Option(help="Name shown in the UI")] = None,
) -> None:
    """Create a user."""
    user = _create_user(_runtime(), username, password, admin, display_name)
    console.print(f"Created user [bold]{user.username}[/bold] (id {user.id}).")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Apply migrations and serve qiao (web app and API)."""
    import uvicorn

    rt = _runtime()
    _ensure_admin(rt)
    console.print(
        f"qiao {__version__} on http://{host}:{port}  (database: {rt.db.engine.dialect.name})"
    )
    rt.db.dispose()
    if workers > 1:
        uvicorn.run(
            "qiao.cli:asgi_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    else:
        uvicorn.run(asgi_app(), host=host, port=port, log_level="info")


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run queued jobs, then exit")] = False,
) -> None:
    """Run background jobs (formula recomputation, …) in this process; ``qiao serve``
    runs a worker thread too, this adds capacity (several may run: jobs are claimed)."""
    import time

    from qiao import jobs

    rt = _runtime()
    if once:
        console.print(f"ran {jobs.run_pending(rt, limit=10_000)} job(s)")
        return
    stop = jobs.start_worker(rt)
    console.print("qiao worker running (Ctrl+C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop()


def asgi_app() -> Any:
    from qiao.app import create_app

    return create_app(Settings())


def _ensure_admin(rt: Runtime) -> None:
    """On the very first start create ``admin`` with a random password kept (0600) in
    the data folder, and print it on every start until it is changed."""
    path = Path(rt.settings.data_dir) / INITIAL_PASSWORD_FILE
    with rt.db.read() as conn:
        empty = users.count_users(conn) == 0
    if empty:
        password = password_policy.generate()  # meets any policy an admin can set
        _create_user(rt, "admin", password, True, "管理员")
        rt.settings.ensure_data_dir()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password)
    if path.exists():
        password = path.read_text().strip()
        with rt.db.read() as conn:
            row = users.find_user_row(conn, "admin")
        if row is not None and verify_password(row.password_hash, password):
            console.print(f"Administrator: [bold]admin[/bold] / password: [bold]{password}[/bold]")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit code 1 when an entry was changed or removed."""
    from qiao.audit.report import print_verify

    rt = _runtime()
    try:
        code = print_verify(rt, console)
    finally:
        rt.db.dispose()
    raise typer.Exit(code=code)


@app.command()
def purge() -> None:
    """Drop fields and forms deleted longer ago than the retention period."""
    from qiao.context import utcnow
    from qiao.forms.purge import purge_expired

    counts = purge_expired(_runtime(), utcnow())
    console.print(
        f"purged {counts['fields']} fields, {counts['forms']} forms, {counts['apps']} apps"
    )


def _register_io_commands() -> None:
    from qiao.io import cli_export, cli_import

    cli_import.register(app, _runtime, console)
    cli_export.register(app, _runtime, console)


_register_io_commands()


def main() -> None:
    app()
