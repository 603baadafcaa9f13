"""Column types shared by platform tables and form tables."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, Field
from sqlalchemy.engine import Dialect

#: A 64-bit primary key that is SQLite's rowid alias ("INTEGER PRIMARY KEY") there.
IdType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: The largest id either engine can store (and compare against without an overflow).
MAX_ID = 2**63 - 1

#: A row id in API input; a larger number would fail in the driver, not as a 4xx.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _storable(value: Any) -> Any:
    """Refuse what a JSON column or the response renderer cannot hold: integers beyond
    64 bits (orjson refuses them; stored, they would break every later read of the row)
    and NaN or infinities (PostgreSQL refuses them)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            if not -MAX_ID - 1 <= item <= MAX_ID:
                raise ValueError("a number is beyond the 64-bit range")
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValueError("a number is not finite")
    return value


#: Free-form JSON from the API that is stored as it is (settings, drafts, view configs).
JsonObject = Annotated[dict[str, Any], AfterValidator(_storable)]


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both engines.

    PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text, which sorts and
    compares correctly because every value is written in the same zone and format.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime needs a datetime")
        if value.tzinfo is None:
            raise ValueError("naive datetime given to UTCDateTime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            naive: datetime = value
            return naive.replace(tzinfo=UTC)
        result: datetime = value.astimezone(UTC)
        return result
