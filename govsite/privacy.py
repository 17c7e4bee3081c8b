"""保密审查 of what is published: personal data that must never reach the site or its exports.

A project file is public record, and《政府信息公开条例》第十五条 forbids publishing personal privacy.
Two kinds of personal data are easy to write by mistake and certain to be personal when they appear:
a mainland mobile phone number (an office landline such as 021-12345678 is fine, and expected in
contact details) and a resident identity card number (18 characters whose check digit is right, so a
long contract or serial number is not mistaken for one). Each is reported at its line, masked, and
the build refuses to publish while any remains (`govsite.site.build`).

Digits that are part of a longer run of letters or digits (a SHA-256 digest, a serial number) are not
numbers of their own and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from govsite.findings import Finding, Severity

RULE = "personal-data"
ARTICLE = "《政府信息公开条例》第十五条"
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9A-Za-z])"
)
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])([1-9][0-9]{5})((?:18|19|20)[0-9]{2})(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
    r"([0-9]{3})([0-9Xx])(?![0-9A-Za-z])"
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_card_valid(number: str) -> bool:
    """The GB 11643 check digit (ISO 7064 MOD 11-2) of an 18-character identity number is right."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


def _mask(text: str, keep_start: int, keep_end: int) -> str:
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[len(text) - keep_end :]


def personal_data(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, what was found — masked) for each personal number in `text`."""
    for number, line_text in enumerate(text.splitlines(), start=1):
        for match in _MOBILE.finditer(line_text):
            digits = "".join(match.groups())
            yield number, match.start() + 1, f"手机号码 {_mask(digits, 3, 4)}"
        for match in _ID_CARD.finditer(line_text):
            value = "".join(match.groups())
            if id_card_valid(value):
                yield number, match.start() + 1, f"身份证号码 {_mask(value, 4, 2)}"


def personal_data_findings(text: str) -> list[Finding]:
    return [
        Finding(
            rule=RULE,
            severity=Severity.ERROR,
            message=f"含有个人信息（{what}）：项目文件会在网站和开放数据中公开，个人信息不得公开",
            hint="删去个人手机号码或身份证号码；需要联系方式时写单位的办公电话或信箱。",
            article=ARTICLE,
            line=line,
            column=column,
        )
        for line, column, what in personal_data(text)
    ]
