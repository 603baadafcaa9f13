"""Location (定位): a point on the earth with an optional address and accuracy.

Stored as JSON text in one column, ``{"lat": 22.54, "lng": 113.93, "address": "…",
"accuracy": 12.0}`` (WGS-84 degrees as the browser's geolocation reports them, accuracy
in metres), because the four parts belong together and are always read together; the
distance filter reads the numbers out with the engines' JSON functions
(:func:`qiao.db.dialect.json_number`).

Distance filter ``within_km`` with ``{"lat", "lng", "km"}``: no trigonometry runs in SQL
(SQLite has none by default). The condition is a bounding box on latitude and longitude
plus the equirectangular approximation

    (Δlat)² + (Δlng · cos φ0)² ≤ (km / 111.32)²   (degrees; φ0 = the centre's latitude)

with cos φ0 computed here. Accuracy, measured against the great-circle distance
(:func:`distance_km`): Beijing–Tianjin 113.8 km comes out as 113.7 km, Shenzhen–Guangzhou
104.2 as 104.5, Beijing–Shanghai 1,067 km as 1,058 km from Beijing and 1,079 km from
Shanghai (the cosine of the centre's latitude stands in for that of the mean latitude).
So below about 100 km the error is well under 1 %, at 1,000 km around 1 %: a point
that close to the edge of the circle may fall on either side.
Circles that cross the 180° meridian or reach a pole are not supported (refused): the
box would wrap. Every row is scanned (no spatial index), which is fine for the sizes a
distance filter in a CRM view is used on.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
import sqlalchemy as sa

from qiao.db.dialect import json_number
from qiao.errors import FieldValueError
from qiao.forms.fields.base import FieldSettings, FieldType, FilterTarget, registry

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta

KM_PER_DEGREE = 111.32  # one degree of latitude (and of longitude at the equator)
MAX_KM = 5000.0
MAX_ADDRESS = 500
_KEYS = {"lat", "lng", "address", "accuracy"}


def _number(value: Any, code: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise FieldValueError(code)
    try:
        number = float(value)
    except ValueError as exc:
        raise FieldValueError(code) from exc
    if not math.isfinite(number):
        raise FieldValueError(code)
    return number


def parse_point(lat: Any, lng: Any) -> tuple[float, float]:
    """Validated (lat, lng), rounded to 6 decimals (about 0.1 m)."""
    la = _number(lat, "location_lat")
    ln = _number(lng, "location_lng")
    if not -90 <= la <= 90:
        raise FieldValueError("location_lat")
    if not -180 <= ln <= 180:
        raise FieldValueError("location_lng")
    return round(la, 6), round(ln, 6)


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine, mean earth radius 6371.0088 km): the reference
    the approximation above is measured against."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@registry.register
class LocationType(FieldType):
    key = "location"
    settings_model = FieldSettings
    operators = ("within_km", "is_empty", "is_not_empty")
    arity_overrides: ClassVar[dict[str, str]] = {"within_km": "object"}
    sortable = False

    def sample_input(self, field: FieldMeta, ctx: Ctx) -> str:
        return "39.908722,116.397499"

    def sql_type(self, field: FieldMeta) -> sa.types.TypeEngine[Any]:
        return sa.Text()

    def to_storage(self, field: FieldMeta, value: Any, ctx: Ctx) -> Any:
        if value is None or value == "" or value == {}:
            return None
        if isinstance(value, str):  # "lat,lng" as typed or imported
            parts = value.replace("，", ",").split(",")
            if len(parts) != 2:
                raise FieldValueError("location_shape")
            value = {"lat": parts[0].strip(), "lng": parts[1].strip()}
        if not isinstance(value, dict) or not set(value) <= _KEYS:
            raise FieldValueError("location_shape")
        if value.get("lat") is None or value.get("lng") is None:
            raise FieldValueError("location_shape")
        lat, lng = parse_point(value["lat"], value["lng"])
        out: dict[str, Any] = {"lat": lat, "lng": lng}
        address = value.get("address")
        if address is not None:
            if not isinstance(address, str) or "\x00" in address:
                raise FieldValueError("location_address")
            if len(address.strip()) > MAX_ADDRESS:
                raise FieldValueError("location_address")
            if address.strip():
                out["address"] = address.strip()
        accuracy = value.get("accuracy")
        if accuracy is not None:
            meters = _number(accuracy, "location_accuracy")
            if not 0 <= meters <= 1_000_000:
                raise FieldValueError("location_accuracy")
            out["accuracy"] = round(meters, 1)
        return json.dumps(out, ensure_ascii=False, separators=(",", ":"))

    def to_json(self, field: FieldMeta, stored: Any, ctx: Ctx) -> Any:
        return None if stored is None else orjson.loads(stored)

    def display(self, field: FieldMeta, stored: Any, ctx: Ctx) -> str:
        if stored is None:
            return ""
        point = orjson.loads(stored)
        coords = f"{point['lat']:.6f},{point['lng']:.6f}"
        return f"{point['address']} ({coords})" if point.get("address") else coords

    def export_text(self, field: FieldMeta, value: Any, ctx: Ctx) -> str | None:
        if not isinstance(value, dict) or "lat" not in value:
            return None
        coords = f"{value['lat']:.6f},{value['lng']:.6f}"
        return f"{value['address']} ({coords})" if value.get("address") else coords

    def from_text(self, field: FieldMeta, text: str, ctx: Ctx) -> Any:
        """Reads what ``display`` writes: ``lat,lng`` or ``address (lat,lng)``."""
        stripped = text.strip()
        if stripped.endswith(")") and "(" in stripped:
            address, _, coords = stripped[:-1].rpartition("(")
            parts = coords.split(",")
            if len(parts) == 2:
                value = {"lat": parts[0], "lng": parts[1], "address": address.strip()}
                return self.to_storage(field, value, ctx)
        return self.to_storage(field, stripped, ctx)

    def filter_operand(self, field: FieldMeta, op: str, value: Any, ctx: Ctx) -> Any:
        if not isinstance(value, dict) or set(value) != {"lat", "lng", "km"}:
            raise FieldValueError("location_filter_shape", op=op)
        lat, lng = parse_point(value["lat"], value["lng"])
        km = _number(value["km"], "location_filter_km")
        if not 0 < km <= MAX_KM:
            raise FieldValueError("location_filter_km", max=int(MAX_KM))
        dlat = km / KM_PER_DEGREE
        cos0 = math.cos(math.radians(lat))
        if abs(lat) + dlat >= 90 or cos0 <= 0:
            raise FieldValueError("location_filter_wraps")
        dlng = dlat / cos0
        if abs(lng) + dlng > 180:
            raise FieldValueError("location_filter_wraps")
        return (lat, lng, dlat, dlng, cos0)

    def compile_filter(
        self, field: FieldMeta, op: str, operand: Any, target: FilterTarget, ctx: Ctx
    ) -> sa.ColumnElement[bool]:
        if op != "within_km":
            return super().compile_filter(field, op, operand, target, ctx)
        assert target.column is not None
        lat0, lng0, dlat, dlng, cos0 = operand
        lat = json_number(target.column, "lat")
        lng = json_number(target.column, "lng")
        dy = lat - lat0
        dx = (lng - lng0) * cos0
        return sa.and_(
            target.column.is_not(None),
            lat.between(lat0 - dlat, lat0 + dlat),
            lng.between(lng0 - dlng, lng0 + dlng),
            dy * dy + dx * dx <= dlat * dlat,
        )

    def mask(self, field: FieldMeta, value: Any) -> Any:
        return None if value is None else "****"

    def json_schema(self, field: FieldMeta) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "lng": {"type": "number", "minimum": -180, "maximum": 180},
                "address": {"type": "string", "maxLength": MAX_ADDRESS},
                "accuracy": {"type": "number", "minimum": 0},
            },
            "required": ["lat", "lng"],
            "additionalProperties": False,
        }
