"""De-duplication keys and the import's Deduper: company names compared as people
compare them (suffixes, width, case, punctuation, homophones), exact keys that ignore
formatting, and matching file rows against earlier rows and existing records within
the user's scope."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from qiao.context import Ctx
from qiao.forms.model import FieldMeta
from qiao.io.dedupe import Deduper, Match, company_key, exact_key, similarity
from qiao.org import users
from qiao.runtime import Runtime
from tests.conftest import Api, token_for


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("深圳市腾讯计算机系统有限公司", "深圳市腾讯计算机系统"),
        ("北京字节跳动科技股份有限公司", "北京字节跳动科技"),
        ("阿里巴巴集团有限公司", "阿里巴巴"),
        ("华润集团", "华润"),
        ("某某有限责任公司", "某某"),
        ("腾讯科技（深圳）有限公司", "腾讯科技深圳"),
        ("ＡＣＭＥ　Co., Ltd.", "acme"),
        ("Acme Inc.", "acme"),
        ("Foo LLC", "foo"),
        ("Tesco", "tesco"),
        ("Globex Corp.", "globex"),
        # a branch is a customer of its own
        ("华为技术有限公司北京分公司", "华为技术有限公司北京分公司"),
        # nothing but a suffix: the name is kept rather than emptied
        ("公司", "公司"),
    ],
)
def test_company_key(text: str, key: str) -> None:
    assert company_key(text) == key


def test_city_prefix_tells_companies_apart() -> None:
    assert company_key("深圳市华强电子有限公司") != company_key("广州市华强电子有限公司")
    assert company_key("上海华强电子") != company_key("华强电子")


def test_similarity() -> None:
    assert similarity("阿里巴巴集团有限公司", "阿里巴巴（集团）") == 1.0
    assert similarity("ACME Co., Ltd.", "acme") == 1.0
    # a homophone typo: the characters differ, the pinyin does not
    assert similarity("深圳腾讯有限公司", "深圳滕讯") == 1.0
    assert 0.7 < similarity("杭州网易科技有限公司", "杭州网易信息科技有限公司") < 1.0
    assert similarity("百度", "京东") < 0.5
    assert similarity("", "京东") == 0.0


def _field(key: str, type_: str) -> FieldMeta:
    from qiao.forms.fields.base import FieldSettings

    return FieldMeta(
        id=1, form_id=1, key=key, label=key, type=type_, settings=FieldSettings(), column_name="f1"
    )


def test_exact_keys() -> None:
    phone, email, text = _field("p", "phone"), _field("e", "email"), _field("t", "text")
    number, date_, select = _field("n", "number"), _field("d", "date"), _field("s", "select")
    assert exact_key(phone, "+86 138-0013-8000") == exact_key(phone, "13800138000")
    assert exact_key(phone, "0086 13800138000") == "13800138000"
    assert exact_key(phone, "010-12345678") == "01012345678"
    assert exact_key(email, " Foo@Example.COM ") == "foo@example.com"
    assert exact_key(text, "ＡＢＣ  有限公司") == exact_key(text, "abc有限公司")
    assert exact_key(text, "张三。") == "张三"
    assert exact_key(number, "1,234.50") == exact_key(number, 1234.5) == "1234.5"
    assert exact_key(number, "0.00") == "0"
    assert exact_key(date_, "2024-03-05") == "2024-03-05"
    assert exact_key(select, "vip") == "vip"
    for fm in (phone, email, text, number, date_, select):
        assert exact_key(fm, None) is None
        assert exact_key(fm, "") is None


CUSTOMER_FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
    {"key": "city", "label": "城市", "type": "text"},
]


def _customers(api: Api, rows: list[dict[str, Any]]) -> tuple[int, list[int]]:
    form = api.make_form(CUSTOMER_FIELDS)
    created = api.ok(
        api.post(f"/forms/{form['id']}/records/bulk", {"items": [{"data": r} for r in rows]}),
        201,
    )
    return int(form["id"]), list(created["ids"])


def _deduper(rt: Runtime, ctx: Ctx, form_id: int, keys: list[str], **kw: Any) -> Deduper:
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
        return Deduper(rt, conn, ctx, form, keys, kw.get("fuzzy", False), kw.get("threshold", 0.9))


def test_deduper_exact_on_file_rows_and_existing(api: Api, rt: Runtime, ctx: Ctx) -> None:
    form_id, ids = _customers(
        api,
        [
            {"name": "深圳腾讯有限公司", "phone": "13800138000"},
            {"name": "百度", "phone": "13900139000"},
        ],
    )
    d = _deduper(rt, ctx, form_id, ["phone"])
    assert d.check(0, {"name": "x", "phone": "+86 138 0013 8000"}) == Match(
        "existing", None, ids[0], 1.0
    )
    assert d.check(1, {"name": "y", "phone": "15000150000"}) is None
    # the earlier file row is found before anything else
    assert d.check(2, {"name": "z", "phone": "150-0015-0000"}) == Match("file", 1, None, 1.0)
    assert d.check(3, {"name": "blank", "phone": None}) is None
    assert d.check(4, {"name": "blank", "phone": None}) is None

    both = _deduper(rt, ctx, form_id, ["name", "phone"])
    # same phone, other name: not a duplicate on both keys
    assert both.check(0, {"name": "京东", "phone": "13800138000"}) is None
    assert both.check(1, {"name": " 百度 ", "phone": "13900139000"}) == Match(
        "existing", None, ids[1], 1.0
    )


def test_deduper_fuzzy_company_names(api: Api, rt: Runtime, ctx: Ctx) -> None:
    form_id, ids = _customers(
        api,
        [
            {"name": "深圳市腾讯计算机系统有限公司", "city": "深圳"},
            {"name": "阿里巴巴（中国）网络技术有限公司", "city": "杭州"},
        ],
    )
    exact = _deduper(rt, ctx, form_id, ["name"])
    assert exact.check(0, {"name": "深圳市腾讯计算机系统"}) is None

    d = _deduper(rt, ctx, form_id, ["name"], fuzzy=True, threshold=0.85)
    hit = d.check(0, {"name": "深圳市腾讯计算机系统股份有限公司"})
    assert hit is not None and (hit.kind, hit.record_id, hit.score) == ("existing", ids[0], 1.0)
    typo = d.check(1, {"name": "深圳市滕讯计算机系统"})
    assert typo is not None and typo.kind == "file" and typo.row == 0
    near = d.check(2, {"name": "阿里巴巴中国网络技术"})
    assert near is not None and near.record_id == ids[1]
    assert d.check(3, {"name": "京东世纪贸易"}) is None
    # other key exact, name fuzzy: the city must be the same
    by_city = _deduper(rt, ctx, form_id, ["name", "city"], fuzzy=True, threshold=0.85)
    assert by_city.check(0, {"name": "深圳市腾讯计算机系统", "city": "北京"}) is None
    found = by_city.check(1, {"name": "深圳市腾讯计算机系统", "city": "深圳"})
    assert found is not None and found.record_id == ids[0]


def test_deduper_ignores_records_outside_the_users_scope(
    api: Api, rt: Runtime, client: Any
) -> None:
    form_id, _ = _customers(api, [{"name": "甲", "phone": "13800138000"}])
    bob = rt.db.write(lambda c: users.create_user(c, "bob", "user-pass-1"))
    bob_api = Api(client, token_for(rt, bob))
    bob_api.ok(bob_api.post(f"/forms/{form_id}/records", {"data": {"phone": "13900139000"}}), 201)
    bob_ctx = Ctx(user=bob, tz=rt.tz)
    d = _deduper(rt, bob_ctx, form_id, ["phone"])
    # the admin's record is not bob's to see (new forms: own records only)
    assert d.check(0, {"phone": "13800138000"}) is None
    assert d.check(1, {"phone": "13900139000"}) is not None


@pytest.mark.parametrize(
    "type_", ["phone", "email", "text", "textarea", "number", "money", "percent", "rating",
              "date", "datetime", "boolean", "relation", "user", "department", "select",
              "idcard", "url", "address", "multiselect"],
)  # fmt: skip
def test_key_function_is_exact_key(type_: str) -> None:
    """The per-field key functions (a branch chosen once, a cache per distinct text)
    give what ``exact_key`` gives, cached or not, for texts and other values alike."""
    from datetime import date, datetime
    from decimal import Decimal

    from qiao.io.dedupe import _key_function

    fm = _field("f", type_)
    values: list[Any] = [
        None, "", " ", "  Foo@Example.COM ", "+86 138-0013-8000", "0086 13800138000",
        "ＡＢＣ  有限公司", "张三。", "1,234.50", "0.00", "-0", "1e3", "abc", "True", "1",
        "0", "false", "2024-03-05", " 2024-03-05 ", "12", "\u3000", "Ⅻ", "㆒", "x\u0301",
        1, 1.0, True, False, 0, 1234.5, Decimal("1.50"), date(2024, 3, 5),
        datetime(2024, 3, 5, 8, 30), [], ["b", "a", ""], {"province": "广东省", "city": "深圳"},
    ]  # fmt: skip
    key = _key_function(fm)
    for _ in range(2):  # the second time from the cache
        for value in values:
            assert key(value) == exact_key(fm, value), (type_, value)


def test_exact_keys_of_a_plan_are_those_of_split(api: Api, rt: Runtime, ctx: Ctx) -> None:
    form_id, _ = _customers(api, [{"name": "a", "phone": "13800138000"}])
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    from qiao.io.dedupe import KeyPlan

    plan = KeyPlan(form, ["name", "phone", "city"], False)
    for values in [
        ("深圳 腾讯", "+86 138 0013 8000", "深圳"),
        ("深圳腾讯", "13800138000", ""),
        ("", "1", "x"),
        ("A", None, "x"),
    ]:
        keys = tuple(exact_key(fm, v) for fm, v in zip(plan.fields, values, strict=True))
        want = None if None in keys else keys
        assert plan.exact_keys(values) == want
        assert plan.split(values) == ((want, want, []) if want else (None, None, []))


def test_first_existing_record_wins(api: Api, rt: Runtime, ctx: Ctx) -> None:
    """Two existing records with the same key: the match is the first (lowest id), as
    when the index was built one record at a time."""
    form_id, ids = _customers(
        api,
        [
            {"name": "华信", "phone": "13800138000"},
            {"name": "华 信", "phone": "+86 13800138000"},
            {"name": "恒泰", "phone": "13900139000"},
        ],
    )
    d = _deduper(rt, ctx, form_id, ["name", "phone"])
    assert d.check(0, {"name": "华信。", "phone": "138 0013 8000"}) == Match(
        "existing", None, ids[0], 1.0
    )
    assert d.check(1, {"name": "恒泰", "phone": "13900139000"}) == Match(
        "existing", None, ids[2], 1.0
    )
    assert len(d.existing.exact) == 2


def test_text_key_fast_path_is_the_per_character_rule() -> None:
    """``label_key`` / ``text_key`` skip the per-character category test for ASCII and
    common Chinese characters: the same key as keeping every L*/N* character."""
    import random
    import unicodedata

    from qiao.io.dedupe import text_key
    from qiao.io.mapping import label_key, plain_label_key

    def rule(text: str) -> str:
        norm = unicodedata.normalize("NFKC", text).lower()
        return "".join(ch for ch in norm if unicodedata.category(ch)[0] in "LN")

    assert all(unicodedata.category(chr(c)) == "Lo" for c in range(0x4E00, 0xA000))
    chars = [chr(c) for c in [*range(0x0, 0x250), *range(0x2000, 0x2200), *range(0x3000, 0x3100),
                              *range(0x4E00, 0x4E40), *range(0xFF00, 0xFFF0)]]  # fmt: skip
    for ch in chars:
        assert plain_label_key(ch) == rule(ch), hex(ord(ch))
        assert plain_label_key(f"a{ch}中") == rule(f"a{ch}中"), hex(ord(ch))
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 10)))
        assert plain_label_key(text) == label_key(text) == text_key(text) == rule(text), text


def test_first_ids_is_the_index_built_record_by_record(api: Api, rt: Runtime, ctx: Ctx) -> None:
    """The column-wise index of existing keys equals the one :class:`Index` builds from
    :func:`load_existing` one record at a time (blank keys left out, first id kept)."""
    from qiao.io.dedupe import Index, KeyPlan, first_ids, load_existing

    form_id, _ = _customers(
        api,
        [
            {"name": "华信", "phone": "13800138000", "city": "深圳"},
            {"name": "华 信", "phone": "+86 13800138000", "city": "深圳 "},
            {"name": "恒泰", "phone": None, "city": "杭州"},
            {"name": "恒泰", "phone": "13900139000"},
            {"name": "恒泰。", "phone": "139 0013 9000", "city": "杭州"},
        ],
    )
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
        for keys in (["name"], ["phone"], ["name", "phone"], ["name", "phone", "city"]):
            plan = KeyPlan(form, keys, False)
            index = Index(False)
            for rid, values in load_existing(conn, form, plan.fields, [], ctx):
                full, rest, fz = plan.split(values)
                if full is not None and rest is not None:
                    index.add(rid, full, rest, fz)
            assert first_ids(conn, form, plan, [], ctx) == index.exact, keys
        assert first_ids(conn, form, KeyPlan(form, ["name"], False), [sa.false()], ctx) == {}
