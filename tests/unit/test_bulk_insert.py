"""``db.bulk.insert_many`` stores exactly what ``sa.insert`` stores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from qiao.db.bulk import insert_many
from qiao.db.engine import make_engine
from qiao.db.types import IdType, UTCDateTime


def _table(metadata: sa.MetaData, name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", IdType, primary_key=True),
        sa.Column("at", UTCDateTime),
        sa.Column("day", sa.Date),
        sa.Column("amount", sa.Numeric(18, 4)),
        sa.Column("flag", sa.Boolean),
        sa.Column("details", sa.JSON),
        sa.Column("text", sa.String(200)),
    )


def test_the_same_stored_values_as_sqlalchemy_insert(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
    metadata = sa.MetaData()
    a, b = _table(metadata, "a"), _table(metadata, "b")
    metadata.create_all(engine)
    rows: list[dict[str, Any]] = [
        {
            "id": i + 1,
            "at": datetime(2026, 3, 5, 8, 30, i, tzinfo=UTC),
            "day": date(2024, 2, 29),
            "amount": Decimal("1234.5678") * i,
            "flag": i % 2 == 0,
            "details": {"values": {"名称": "腾达", "n": i, "list": [1, "二"]}, "k": None},
            "text": f"客户 {i}",
        }
        for i in range(5)
    ]
    rows.append(dict.fromkeys(rows[0], None) | {"id": 99})
    with engine.begin() as conn:
        conn.execute(sa.insert(a), rows)
        insert_many(conn, b, rows)
    with engine.connect() as conn:
        raw_a = conn.exec_driver_sql("SELECT * FROM a ORDER BY id").all()
        raw_b = conn.exec_driver_sql("SELECT * FROM b ORDER BY id").all()
        typed_b = conn.execute(sa.select(b).order_by(b.c.id)).all()
    assert raw_a == raw_b
    assert typed_b[1].details == rows[1]["details"] and typed_b[1].at == rows[1]["at"]
    assert typed_b[-1].details is None and typed_b[-1].at is None
    engine.dispose()


def test_a_python_side_default_of_a_column_left_out_is_applied(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'defaults.db'}")
    metadata = sa.MetaData()
    table = sa.Table(
        "t",
        metadata,
        sa.Column("id", IdType, primary_key=True),
        sa.Column("text", sa.String(20)),
        sa.Column("kind", sa.String(20), default="plain"),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        insert_many(conn, table, [{"id": 1, "text": "a"}, {"id": 2, "text": "b"}])
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT kind FROM t ORDER BY id").scalars().all() == [
            "plain",
            "plain",
        ]
    engine.dispose()
