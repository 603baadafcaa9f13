"""The explicit request context passed from the API down to every service.

Services never read the current user, locale or clock from globals: they get a ``Ctx``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from qiao.org.users import User


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Ctx:
    user: User | None
    locale: str = "zh-CN"
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    clock: Callable[[], datetime] = utcnow
    request_id: str = ""
    ip: str | None = None
    user_agent: str | None = None
    #: an API token narrowed to reading, and/or to some apps (None: all apps)
    token_read_only: bool = False
    token_app_ids: frozenset[int] | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user else None

    def now(self) -> datetime:
        return self.clock()
