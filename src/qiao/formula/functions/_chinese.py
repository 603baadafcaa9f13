"""Chinese numerals shared by the China functions (RMB, NUMBERSTRING) and TEXT's
``[DBNum1]``/``[DBNum2]`` format codes."""

from __future__ import annotations

from qiao.formula.values import ErrorValue, FormulaErrorSignal

UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
UPPER_UNITS = ("", "拾", "佰", "仟")
LOWER_DIGITS = "〇一二三四五六七八九"
LOWER_UNITS = ("", "十", "百", "千")
SECTIONS = ("", "万", "亿", "万亿")


def read_integer(number: int, digits: str, units: tuple[str, ...], zero: str) -> str:
    """A non-negative integer read in Chinese with 万/亿 groups: one ``zero`` for a run of
    zeros inside the number, nothing for zeros ending a group or the number."""
    if number == 0:
        return zero
    text = str(number)
    if len(text) > 4 * len(SECTIONS):
        raise FormulaErrorSignal(ErrorValue.NUM)
    out: list[str] = []
    pending_zero = False
    for i, char in enumerate(text):
        power = len(text) - 1 - i
        digit = int(char)
        if digit == 0:
            pending_zero = bool(out)
        else:
            if pending_zero:
                out.append(zero)
                pending_zero = False
            out.append(digits[digit] + units[power % 4])
        if power % 4 == 0 and power > 0:
            group = text[max(0, i - 3) : i + 1]
            if int(group):
                out.append(SECTIONS[power // 4])
                pending_zero = False  # 107000 is 十万七千, not 十万零七千
    return "".join(out)
