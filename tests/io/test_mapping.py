"""Header → field mapping: what a person would match by eye is matched."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from qiao.forms.fields.base import registry
from qiao.forms.model import FieldMeta, FormMeta
from qiao.io.mapping import child_labels, header_key, label_key, pinyin_key, propose_mapping

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def form(*fields: tuple[str, str, str], **extra: Any) -> FormMeta:
    metas = []
    for i, (key, label, kind) in enumerate(fields, start=1):
        settings = registry.get(kind).parse_settings(extra.get(key, {}))
        metas.append(FieldMeta(i, 1, key, label, kind, settings, f"c_{i}", position=i))
    return FormMeta(1, 1, "客户", "", "qf_1", 0, {}, NOW, NOW, None, None, fields=metas)


CUSTOMERS = form(
    ("name", "客户名称", "text"),
    ("phone", "电话", "phone"),
    ("email", "E-mail", "email"),
    ("level", "客户等级", "text"),
    ("amount", "金额", "money"),
)


def test_label_key_ignores_width_case_spaces_and_punctuation() -> None:
    assert label_key("客户 名称") == label_key("客户名称") == "客户名称"
    assert label_key("E-Mail") == label_key("ｅｍａｉｌ") == "email"
    assert label_key("【客户·名称】：") == "客户名称"
    assert header_key("客户名称*") == "客户名称"
    assert header_key("电话(手机)") == header_key("电话（手机）") == "电话"
    assert header_key("(备注)") == "备注"


def test_pinyin_key() -> None:
    assert pinyin_key("客户名称") == "kehumingcheng"
    assert pinyin_key("Ke Hu") == "kehu"


def test_exact_labels_markers_notes_and_keys() -> None:
    columns = ["客户名称*", "电话(手机)", "EMAIL", "amount", "备注"]
    assert propose_mapping(columns, CUSTOMERS) == {
        0: "name",
        1: "phone",
        2: "email",
        3: "amount",
        4: None,
    }


def test_pinyin_matches_a_header_typed_in_pinyin_or_with_a_homophone() -> None:
    assert propose_mapping(["kehumingcheng", "客户登级"], CUSTOMERS) == {0: "name", 1: "level"}


def test_each_field_is_used_once_and_exact_labels_win() -> None:
    # the exact label takes the field even when a looser header comes first
    assert propose_mapping(["电话(手机)", "电话"], CUSTOMERS) == {0: None, 1: "phone"}


def test_saved_mapping_wins() -> None:
    saved = {label_key("联系方式"): "phone", label_key("电话"): "name"}
    assert propose_mapping(["联系方式", "电话"], CUSTOMERS, saved) == {0: "phone", 1: "name"}


def test_unknown_or_unwritable_keys_in_a_saved_mapping_are_ignored() -> None:
    saved = {label_key("电话"): "gone"}
    assert propose_mapping(["电话"], CUSTOMERS, saved) == {0: "phone"}
    with_auto = form(("no", "编号", "autonumber"), ("name", "名称", "text"))
    assert propose_mapping(["编号", "名称"], with_auto) == {0: None, 1: "name"}


# --- grouped headers ("组-子", as the reader joins a merged group header and its child) ---


def test_child_labels_longest_first_without_the_marker_and_note() -> None:
    assert child_labels("联系方式-电话") == ["电话"]
    assert child_labels("联系方式-E-mail") == ["E-mail", "mail"]
    assert child_labels("联系方式-电话 (2)") == ["电话"]
    assert child_labels("联系方式-电话*") == ["电话"]
    assert child_labels("电话") == [] and child_labels("联系方式-") == []


def test_a_grouped_header_maps_by_its_child_label() -> None:
    columns = ["客户名称", "联系方式-电话", "联系方式-邮箱", "联系方式-传真"]
    with_mail = form(
        ("name", "客户名称", "text"), ("phone", "电话", "phone"), ("mail", "邮箱", "email")
    )
    assert propose_mapping(columns, with_mail) == {0: "name", 1: "phone", 2: "mail", 3: None}


def test_the_child_is_matched_with_the_same_rules_as_a_whole_header() -> None:
    columns = ["联系方式-电话(手机)", "联系方式-E-mail", "基本信息-kehumingcheng", "财务-amount"]
    assert propose_mapping(columns, CUSTOMERS) == {0: "phone", 1: "email", 2: "name", 3: "amount"}


def test_a_header_whose_whole_text_matches_a_field_maps_by_the_whole_text() -> None:
    # "公司-名称" is "公司名称" once the punctuation is dropped: that field, not 名称
    both = form(("short", "名称", "text"), ("company", "公司名称", "text"))
    assert propose_mapping(["公司-名称"], both) == {0: "company"}
    # a field labelled with the group's dash keeps it whole
    dashed = form(("mail", "E-mail", "email"), ("m", "mail", "text"))
    assert propose_mapping(["E-mail"], dashed) == {0: "mail"}


def test_the_child_is_only_a_fallback_after_every_whole_header_rule() -> None:
    # the whole header "电话" takes the field even though the grouped column comes first
    assert propose_mapping(["联系方式-电话", "电话"], CUSTOMERS) == {0: None, 1: "phone"}
    # and so does a whole header matched by pinyin
    assert propose_mapping(["联系方式-电话", "dianhua"], CUSTOMERS) == {0: None, 1: "phone"}


def test_two_grouped_columns_with_the_same_child_map_once() -> None:
    columns = ["手机-电话", "座机-电话", "座机-电话 (2)"]
    assert propose_mapping(columns, CUSTOMERS) == {0: "phone", 1: None, 2: None}


def test_a_saved_mapping_of_the_whole_grouped_header_wins_over_its_child() -> None:
    saved = {label_key("联系方式-电话"): "name"}
    assert propose_mapping(["联系方式-电话"], CUSTOMERS, saved) == {0: "name"}
