"""The web app's first load stays small: every page is its own chunk, and what
index.html loads up front (the shell) has a size budget. Sizes, not timings, so the
test does not depend on the machine."""

from __future__ import annotations

import pytest
from bench.webapp import DIST, bundle_report

#: gzip bytes of the shell (Vue, router, pinia, i18n, client, base styles, the login
#: and app list pages' shared components); a fully registered Element Plus was 380 KB
INITIAL_GZIP_BUDGET = 200 * 1024


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    if not (DIST / "index.html").exists():
        pytest.fail("the web app is not built: run `make web` (make test does)")
    return bundle_report(DIST)


def test_first_load_stays_within_budget(report: dict[str, object]) -> None:
    assert isinstance(report["initial_gzip_bytes"], int)
    assert report["initial_gzip_bytes"] < INITIAL_GZIP_BUDGET, report


def test_pages_are_split_out_of_the_shell(report: dict[str, object]) -> None:
    initial = " ".join(report["initial_files"])  # type: ignore[arg-type]
    for page in ("DesignerView", "DataView", "RecordView"):
        assert page not in initial, f"{page} is loaded up front"
