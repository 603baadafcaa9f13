"""The audit log's chain: appends, `qiao audit verify`, and tampering of every kind
detected, on SQLite and PostgreSQL; the database itself refuses UPDATE and DELETE."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from typer.testing import CliRunner

from qiao.audit import log
from qiao.cli import app
from qiao.context import Ctx
from qiao.db import schema
from qiao.runtime import Runtime

runner = CliRunner()
L = schema.audit_log


def fill(rt: Runtime, ctx: Ctx, n: int = 5) -> None:
    for i in range(n):
        rt.db.write(
            lambda c, i=i: log.append(
                c, ctx, "record_update", form_id=1, record_id=i + 1, details={"i": i, "名": "张三"}
            )
        )


def tamper(rt: Runtime, fn: Callable[[Connection], object]) -> None:
    """Change the log behind the application's back: the append-only trigger goes first,
    as an attacker with database access would do."""
    with rt.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE qiao_audit_log DISABLE TRIGGER USER")
            fn(conn)
            conn.exec_driver_sql("ALTER TABLE qiao_audit_log ENABLE TRIGGER USER")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS qiao_audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS qiao_audit_log_no_delete")
            fn(conn)


def check(rt: Runtime) -> tuple[int, list[log.Break]]:
    with rt.db.read() as conn:
        return log.verify(conn)


def run_cli(rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("QIAO_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("QIAO_DATABASE_URL", rt.settings.database_url or "")
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["audit", "verify"])
    return result.exit_code, result.stdout


def test_an_intact_chain(
    rt: Runtime, ctx: Ctx, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(rt, ctx)
    assert check(rt) == (5, [])
    with rt.db.read() as conn:
        rows = conn.execute(sa.select(L).order_by(L.c.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == log.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert rows[0].details == {"i": 0, "名": "张三"}
    code, out = run_cli(rt, tmp_path, monkeypatch)
    assert code == 0, out
    assert "intact" in out and "5 entries" in out


def test_bulk_append_numbers_without_gaps(rt: Runtime, ctx: Ctx) -> None:
    seqs = rt.db.write(
        lambda c: log.append_many(c, ctx, "record_delete", [{"record_id": i} for i in range(3)])
    )
    assert seqs == [1, 2, 3]
    assert rt.db.write(lambda c: log.append(c, ctx, "logout")) == 4
    assert check(rt) == (4, [])


def test_a_rolled_back_change_leaves_no_entry(rt: Runtime, ctx: Ctx) -> None:
    def fail(conn: Connection) -> None:
        log.append(conn, ctx, "logout")
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        rt.db.write(fail)
    assert rt.db.write(lambda c: log.append(c, ctx, "logout")) == 1
    assert check(rt) == (1, [])


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (
            "edit_details",
            [log.Break(3, "hash")],
        ),
        ("delete_middle", [log.Break(3, "gap"), log.Break(4, "link")]),
        ("delete_newest", [log.Break(4, "head")]),
        ("change_hash", [log.Break(2, "hash"), log.Break(3, "link")]),
        ("edit_user", [log.Break(1, "hash")]),
    ],
)
def test_tampering_is_detected(
    rt: Runtime,
    ctx: Ctx,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    expected: list[log.Break],
) -> None:
    fill(rt, ctx)
    changes: dict[str, Callable[[Connection], object]] = {
        "edit_details": lambda c: c.execute(
            sa.update(L).where(L.c.seq == 3).values(details={"i": 2, "名": "李四"})
        ),
        "delete_middle": lambda c: c.execute(sa.delete(L).where(L.c.seq == 3)),
        "delete_newest": lambda c: c.execute(sa.delete(L).where(L.c.seq == 5)),
        "change_hash": lambda c: c.execute(sa.update(L).where(L.c.seq == 2).values(hash="f" * 64)),
        "edit_user": lambda c: c.execute(sa.update(L).where(L.c.seq == 1).values(user_id=999)),
    }
    tamper(rt, changes[how])
    assert check(rt)[1] == expected
    code, out = run_cli(rt, tmp_path, monkeypatch)
    assert code == 1, out
    assert "BROKEN" in out
    for b in expected:
        assert b.reason in out and str(b.seq) in out


def test_a_forged_newest_entry_with_a_fresh_hash_breaks_the_head(rt: Runtime, ctx: Ctx) -> None:
    """Rewriting the newest entry and recomputing its hash still leaves the head behind."""
    fill(rt, ctx, 2)
    with rt.db.read() as conn:
        row = dict(conn.execute(sa.select(L).where(L.c.seq == 2)).one()._mapping)
    row["details"] = {"i": 99}
    forged = log.entry_hash(row, row["prev_hash"])
    tamper(
        rt,
        lambda c: c.execute(
            sa.update(L).where(L.c.seq == 2).values(details={"i": 99}, hash=forged)
        ),
    )
    assert check(rt)[1] == [log.Break(2, "head")]


def test_the_database_refuses_updates_and_deletes(rt: Runtime, ctx: Ctx) -> None:
    fill(rt, ctx, 2)
    for stmt in (
        sa.update(L).where(L.c.seq == 1).values(details={}),
        sa.delete(L).where(L.c.seq == 2),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            rt.db.write(lambda c, stmt=stmt: c.execute(stmt))
    assert check(rt) == (2, [])


def test_an_emptied_log_starts_over(rt: Runtime, ctx: Ctx) -> None:
    """A database whose platform tables were emptied (no head row) starts a new chain;
    a head removed while entries exist is refused rather than numbered over."""
    with rt.db.engine.begin() as conn:
        conn.execute(sa.delete(schema.audit_head))
    assert check(rt) == (0, [])
    assert rt.db.write(lambda c: log.append(c, ctx, "logout")) == 1
    assert check(rt) == (1, [])
    with rt.db.engine.begin() as conn:
        conn.execute(sa.delete(schema.audit_head))
    with pytest.raises(log.ChainHeadMissing):
        rt.db.write(lambda c: log.append(c, ctx, "logout"))
    assert check(rt)[1] == [log.Break(1, "head")]
