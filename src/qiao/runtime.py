"""The process-wide runtime handed to services: settings, database, schema cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from qiao.config import Settings
from qiao.db.engine import make_engine
from qiao.db.uow import Database
from qiao.files.store import FileStore, make_store
from qiao.forms.catalog import Catalog, SchemaCache
from qiao.forms.model import FormMeta


@dataclass
class Runtime:
    settings: Settings
    db: Database
    schema: SchemaCache
    #: uploaded files' contents, made once from the settings
    files: FileStore = field(init=False)

    def __post_init__(self) -> None:
        self.files = make_store(self.settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        if settings.is_sqlite:
            settings.ensure_data_dir()
        engine = make_engine(settings.resolved_database_url)
        return cls(settings, Database(engine), SchemaCache())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def catalog(self) -> Catalog:
        with self.db.read() as conn:
            return self.schema.get(conn)

    def form(self, conn: Connection, form_id: int) -> FormMeta:
        """A live form's cached metadata, checked against the version seen on ``conn``
        (404 ``form_not_found`` for a missing or deleted form)."""
        return self.schema.get(conn).form(form_id)
