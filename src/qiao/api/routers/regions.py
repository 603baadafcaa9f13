"""The GB/T 2260 divisions of mainland China for the address cascader.

Public (no sign-in): it is the same shipped data set for everyone, and public forms with
an address field need it too. The body never changes while the server runs, so it is
built once, served with a strong ETag and cached by browsers for a day; a request with
a matching ``If-None-Match`` gets 304 without a body.
"""

from __future__ import annotations

import hashlib
from functools import cache

from fastapi import APIRouter, Request, Response

from qiao.data import regions

router = APIRouter(tags=["regions"])
_CACHE_CONTROL = "public, max-age=86400"


@cache
def _body_and_etag() -> tuple[bytes, str]:
    body = regions.tree_json()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@router.get(
    "/regions",
    summary="Provinces, cities and districts of mainland China (GB/T 2260)",
    description=(
        'A tree `[{"c": "440000", "n": "广东省", "s": [{"c": "440300", "n": "深圳市", '
        '"s": [...]}]}]`: `c` the 6-digit code, `n` the name, `s` the divisions below.'
    ),
)
def list_regions(request: Request) -> Response:
    body, etag = _body_and_etag()
    headers = {"ETag": etag, "Cache-Control": _CACHE_CONTROL}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
