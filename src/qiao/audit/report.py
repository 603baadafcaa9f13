"""``qiao audit verify``: the chain check, printed for a person and an exit code for cron."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from qiao.audit.log import verify
from qiao.runtime import Runtime

REASONS = {
    "hash": "entry changed (its hash does not match its content)",
    "link": "previous-hash link broken (an entry before it was changed, removed or inserted)",
    "gap": "entry missing (numbering gap)",
    "head": "newest entries missing or head row changed (chain head does not match)",
}


def print_verify(rt: Runtime, console: Console) -> int:
    """Walk the chain and print what was found; 0 when intact, 1 when broken."""
    with rt.db.read() as conn:
        checked, breaks = verify(conn)
    if not breaks:
        console.print(f"[green]Audit log intact:[/green] {checked} entries checked.")
        return 0
    table = Table(title=f"Audit log BROKEN: {len(breaks)} problem(s) in {checked} entries")
    table.add_column("seq", justify="right")
    table.add_column("problem")
    table.add_column("reason")
    for b in breaks:
        table.add_row(str(b.seq), b.reason, REASONS.get(b.reason, b.reason))
    console.print(table)
    return 1
