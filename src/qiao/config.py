"""Settings read from the environment (``QIAO_*``).

The secret key is generated on first start and kept in the data folder so that a
restart does not invalidate cursors or sessions; an explicit ``QIAO_SECRET_KEY`` wins.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QIAO_", extra="ignore")

    data_dir: Path = Path("qiao-data")
    database_url: str | None = None
    secret_key: str | None = None
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh-CN"
    cookie_secure: bool = False
    #: a session ends this many days after the login, however active (absolute expiry)
    session_days: int = 7
    #: ... and after this many minutes without a request (idle timeout); 0 = never
    session_idle_minutes: int = Field(default=12 * 60, ge=0)
    #: how long the password step of a two-factor login stays good for the code step
    totp_challenge_seconds: int = Field(default=300, ge=30)
    max_body_bytes: int = 16 * 1024 * 1024
    #: the body limit of a file upload request only (one or more files)
    max_upload_bytes: int = 200 * 1024 * 1024
    #: where uploaded files are kept: "local" (``data_dir/files``)
    file_store: Literal["local"] = "local"
    bulk_max_items: int = 5000
    #: rows per batch (one transaction each) of a background import
    import_batch: int = Field(default=2000, ge=1, le=10_000)
    # login throttling: after ``login_slow_after`` failures each attempt is delayed,
    # after ``login_lock_after`` the account is locked for ``login_lock_minutes``.
    login_slow_after: int = 3
    login_lock_after: int = 10
    login_lock_minutes: int = 15
    login_delay_seconds: float = Field(default=1.0, ge=0)
    field_retention_days: int = 30
    #: another build of the web app to serve (development); default: the packaged one
    web_dist: Path | None = None

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'qiao.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        self.ensure_data_dir()
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
