"""Numbers as copy writes them: ``1,299.00``, ``12,99``, ``four``, ``十五``, ``八五`` (折)."""

from __future__ import annotations

import re

NUMBER = r"\d+(?:[.,]\d+)*"
"""A number written with digits (thousands separators and decimals)."""
CN_DIGITS = "〇零一二两三四五六七八九"
CN_NUMBER = rf"[{CN_DIGITS}十百千万]+"
"""A number written with Chinese numerals."""
WORDS = {
    "zero": 0,
    "no": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "a couple of": 2,
    "a pair of": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a dozen": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
}
"""English number words copy uses for counts."""
WORD_NUMBER = "|".join(re.escape(w) for w in sorted(WORDS, key=len, reverse=True))
_UNITS_EN = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS_EN = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SPELLED_WORD = "|".join([*_TENS_EN, *sorted(_UNITS_EN, key=len, reverse=True)])
SPELLED = (
    rf"(?:a|{_SPELLED_WORD})(?:[\s-]+(?:{'|'.join(_UNITS_EN[1:10])}))?[\s-]+(?:hundred|thousand)"
    r"(?![\s-]+(?:and[\s-]+)?(?:a\b|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety))"
    rf"|(?:(?:a|{_SPELLED_WORD})[\s-]+(?:hundred|thousand)(?:[\s-]+(?:and[\s-]+)?)?)*"
    rf"(?:(?:{'|'.join(_TENS_EN)})(?:[\s-]+(?:{'|'.join(_UNITS_EN[1:10])}))?"
    rf"|{'|'.join(sorted(_UNITS_EN, key=len, reverse=True))})"
)
"""An English number in words, up to the thousands ("one hundred twenty-nine")."""
_CN_VALUES = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_LARGE = {"上万": 10_000, "数万": 20_000, "几万": 20_000, "十万": 100_000, "百万": 1_000_000}
"""Vague Chinese magnitudes ("上万名顾客") as the least they say."""


def parse_number(raw: str) -> float | None:
    """``"1,299.00"`` -> 1299.0, ``"12,99"`` -> 12.99, ``"1.299,00"`` -> 1299.0."""
    text = raw.strip().replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", text):
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d{1,2}", text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def chinese_number(raw: str) -> float | None:
    """``"十五"`` -> 15, ``"三十"`` -> 30, ``"一百二十"`` -> 120, ``"两"`` -> 2, ``"3"`` -> 3."""
    text = raw.strip()
    if not text:
        return None
    if re.fullmatch(NUMBER, text):
        return parse_number(text)
    if text in CN_LARGE:
        return float(CN_LARGE[text])
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_VALUES:
            digit = _CN_VALUES[char]
        elif char in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        elif char == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def any_number(raw: str) -> float | None:
    """Digits, Chinese numerals or an English number word."""
    text = raw.strip().lower()
    if text in WORDS:
        return float(WORDS[text])
    if re.fullmatch(NUMBER, text):
        return parse_number(text)
    return chinese_number(text)


def spelled_number(raw: str) -> float | None:
    """``"one hundred and twenty-nine"`` -> 129, ``"twenty-two"`` -> 22, ``"a thousand"`` ->
    1000."""
    total, current = 0, 0
    words = [w for w in re.split(r"[\s-]+", raw.strip().lower()) if w and w != "and"]
    if not words:
        return None
    for word in words:
        if word in _UNITS_EN:
            current += _UNITS_EN.index(word)
        elif word in _TENS_EN:
            current += 20 + 10 * _TENS_EN.index(word)
        elif word == "a":
            current += 1
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return float(total + current)


def zhe_percent(raw: str) -> float | None:
    """The percent off of a Chinese ``折`` figure: ``八`` -> 20, ``8.5`` / ``八五`` -> 15,
    ``九五`` -> 5 (``N折`` is paying N tenths)."""
    text = raw.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        paid = float(text)
    elif len(text) == 2 and all(c in _CN_VALUES for c in text):
        paid = _CN_VALUES[text[0]] + _CN_VALUES[text[1]] / 10
    elif len(text) == 1 and text in _CN_VALUES:
        paid = float(_CN_VALUES[text])
    else:
        return None
    if paid >= 10:  # "85折" is 8.5
        paid /= 10
    if not 0 < paid < 10:
        return None
    return round(100 - paid * 10, 4)


_FIGURE = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[.,]\d+)*")


def figures_in(text: str) -> set[float]:
    """Every number written with digits in ``text``, also next to Chinese characters
    (``蓝牙5.3``, ``250克``); ``1,000`` and ``1000`` are one."""
    found = set()
    for match in _FIGURE.finditer(text):
        value = parse_number(match.group())
        if value is not None:
            found.add(value)
    return found


def close(a: float, b: float, tolerance: float = 0.0051) -> bool:
    """Equal to the cent (and a little more, for half-cent roundings)."""
    return abs(a - b) <= tolerance
