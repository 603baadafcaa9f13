"""`qiao import` (being written, issue 6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer


def register(app: typer.Typer, runtime: Callable[[], Any], console: Any) -> None:
    """Add the command to the `qiao` CLI; `runtime()` opens the configured Runtime."""
