"""Messages of the rich field types: idcard, rating, richtext, location, address."""

from __future__ import annotations

_LEVELS = {
    "province": ("省份", "province"),
    "city": ("城市", "city"),
    "district": ("区县", "district"),
}


def _address_messages() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for level, (zh, en) in _LEVELS.items():
        out[f"address_{level}_unknown"] = {
            "zh-CN": f"「{{label}}」的{zh}「{{value}}」不存在",
            "en": f'"{{label}}": there is no {en} "{{value}}"',
        }
        out[f"address_{level}_mismatch"] = {
            "zh-CN": f"「{{label}}」的{zh}「{{value}}」不属于「{{parent}}」",
            "en": f'"{{label}}": the {en} "{{value}}" is not in "{{parent}}"',
        }
        out[f"address_{level}_ambiguous"] = {
            "zh-CN": f"「{{label}}」的{zh}「{{value}}」有重名，请同时填写上一级",
            "en": '"{label}": several places are called "{value}"; give the level above too',
        }
    return out


MESSAGES: dict[str, dict[str, str]] = {
    # --- idcard ---
    "idcard_format": {
        "zh-CN": "「{label}」必须是 18 位身份证号（最后一位可为 X）",
        "en": '"{label}" must be an 18-character ID number (the last may be X)',
    },
    "idcard_15_not_allowed": {
        "zh-CN": "「{label}」不接受 15 位旧身份证号，请填写 18 位号码",
        "en": '"{label}" does not accept old 15-digit ID numbers; enter the 18-digit number',
    },
    "idcard_birthday": {
        "zh-CN": "「{label}」中的出生日期无效",
        "en": '"{label}" contains an invalid date of birth',
    },
    "idcard_checksum": {
        "zh-CN": "「{label}」校验位不正确，请检查号码是否输错",
        "en": '"{label}" has a wrong check digit: please check the number for typos',
    },
    # --- rating ---
    "rating_not_integer": {
        "zh-CN": "「{label}」必须是整数星级",
        "en": '"{label}" must be a whole number of stars',
    },
    "rating_range": {
        "zh-CN": "「{label}」必须在 1 到 {max} 星之间",
        "en": '"{label}" must be between 1 and {max} stars',
    },
    # --- location ---
    "location_shape": {
        "zh-CN": "「{label}」必须是包含 lat（纬度）和 lng（经度）的位置",
        "en": '"{label}" must be a location with lat and lng',
    },
    "location_lat": {
        "zh-CN": "「{label}」的纬度必须在 -90 到 90 之间",
        "en": '"{label}": the latitude must be between -90 and 90',
    },
    "location_lng": {
        "zh-CN": "「{label}」的经度必须在 -180 到 180 之间",
        "en": '"{label}": the longitude must be between -180 and 180',
    },
    "location_address": {
        "zh-CN": "「{label}」的地址描述必须是文本，最多 500 个字符",
        "en": '"{label}": the address must be text of at most 500 characters',
    },
    "location_accuracy": {
        "zh-CN": "「{label}」的精度必须是 0 到 1000000 米之间的数字",
        "en": '"{label}": the accuracy must be a number of metres between 0 and 1000000',
    },
    "location_filter_shape": {
        "zh-CN": "「{label}」的运算符「{op}」需要 {{lat, lng, km}}",
        "en": "\"{label}\": the operator '{op}' needs {{lat, lng, km}}",
    },
    "location_filter_km": {
        "zh-CN": "「{label}」的距离必须大于 0 且不超过 {max} 公里",
        "en": '"{label}": the distance must be above 0 and at most {max} km',
    },
    "location_filter_wraps": {
        "zh-CN": "「{label}」的距离范围跨越了 180° 经线或极点，不支持",
        "en": '"{label}": a distance circle across the 180° meridian or a pole is not supported',
    },
    "filter_value_object": {
        "zh-CN": "运算符「{op}」需要一个对象值",
        "en": "The operator '{op}' needs an object value",
    },
    # --- address ---
    "address_shape": {
        "zh-CN": "「{label}」必须是包含省、市、区和街道的地址",
        "en": '"{label}" must be an address with province, city, district and street',
    },
    "address_street": {
        "zh-CN": "「{label}」的详细地址最多 {max} 个字符",
        "en": '"{label}": the street line allows at most {max} characters',
    },
    "address_street_off": {
        "zh-CN": "「{label}」不填写详细地址",
        "en": '"{label}" has no street line',
    },
    "address_too_detailed": {
        "zh-CN": "「{label}」只填写到设置的级别，不能更详细",
        "en": '"{label}" goes only as deep as its level setting',
    },
    "address_filter_value": {
        "zh-CN": "「{label}」的筛选值「{value}」不是省、市或区县",
        "en": "\"{label}\": the filter value '{value}' is not a province, city or district",
    },
    **_address_messages(),
}
