from tests.conftest import Api


def test_create_form_and_records(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "客户名称", "type": "text", "required": True, "unique": True},
            {"key": "amount", "label": "金额", "type": "money", "indexed": True},
            {
                "key": "level",
                "label": "等级",
                "type": "select",
                "settings": {"choices": ["A", "B", "C"]},
            },
            {
                "key": "tags",
                "label": "标签",
                "type": "multiselect",
                "settings": {"choices": ["x", "y"]},
            },
            {"key": "phone", "label": "电话", "type": "phone"},
            {
                "key": "no",
                "label": "编号",
                "type": "autonumber",
                "settings": {"pattern": "KH-{YYYY}{MM}-{0000}"},
            },
            {"key": "signed", "label": "签约日期", "type": "date"},
            {"key": "seen", "label": "拜访时间", "type": "datetime"},
        ]
    )
    fid = form["id"]
    rec = api.create(
        fid,
        {
            "name": "华为",
            "amount": "1234.5",
            "level": "A",
            "tags": ["x", "y"],
            "phone": "+86 138 1234 5678",
            "signed": "2024-03-05",
            "seen": "2024-03-05T09:30:00+08:00",
        },
    )
    assert rec["data"]["phone"] == "13812345678"
    assert rec["data"]["amount"] == 1234.5
    assert rec["data"]["tags"] == ["x", "y"]
    assert rec["data"]["no"].startswith("KH-")
    page = api.list(fid, filter='{"field":"tags","op":"contains","value":"x"}', sort="-amount")
    assert page["total"] == 1
    bad = api.post(f"/forms/{fid}/records", {"data": {"name": "华为", "phone": "123"}})
    assert bad.status_code == 422, bad.text
    print(bad.json())
