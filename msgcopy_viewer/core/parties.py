"""Normalise party addresses (phone numbers, short codes, alphanumeric senders).

The rules are documented in ``resources/threading-rule.md``. In short:

* a number is normalised to E.164 with the ``phonenumbers`` library, the
  region inferred from the subscriber's own number (its country calling code);
  numbers that ``phonenumbers`` calls *possible* are accepted even when not
  *valid* (real subscriber ranges are often unassigned or reserved);
* short codes (3 to 6 digits, no ``+``) stay as digits;
* alphanumeric senders are shown exactly as received (decorations and all: a sender
  ``<i>BANK</i>`` stays ``<i>BANK</i>``) and compare case-insensitively;
* e-mail addresses (MMS ``RFC2822Address``) compare case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

KIND_NUMBER = "number"  # E.164
KIND_SHORTCODE = "shortcode"
KIND_ALPHA = "alpha"
KIND_EMAIL = "email"
KIND_UNKNOWN = "unknown"  # digits phonenumbers cannot place; kept as digits


@dataclass(frozen=True, slots=True)
class Party:
    key: str  # what threading compares: E.164, digits, or case-folded text
    display: str  # what the UI and exports show
    kind: str


_FORMATTING = re.compile(r"[\s().\-/]")
_TYPE_SUFFIX = re.compile(r"/TYPE=[A-Za-z0-9]+$", re.IGNORECASE)
_DEFAULT_REGION = "US"


def strip_address(raw: str) -> str:
    """Remove MM7 decorations (``/TYPE=PLMN``, ``tel:``, surrounding ``<>``) and whitespace."""
    text = raw.strip()
    text = _TYPE_SUFFIX.sub("", text).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if text[:4].lower() == "tel:":
        text = text[4:].strip()
    return text


@lru_cache(maxsize=4096)
def subscriber_region(mobile: str) -> str:
    """ISO region of a subscriber's international number (``19465559040`` -> ``US``)."""
    digits = re.sub(r"\D", "", mobile)
    if not digits:
        return _DEFAULT_REGION
    if digits.startswith("00"):
        digits = digits[2:]
    try:
        num = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return _DEFAULT_REGION
    if num.country_code is None:
        return _DEFAULT_REGION
    region = phonenumbers.region_code_for_country_code(num.country_code)
    return region if region and region != "ZZ" else _DEFAULT_REGION


def _e164(num: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _try_parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return num if phonenumbers.is_possible_number(num) else None


@lru_cache(maxsize=65536)
def normalize_party(raw: str, region: str = _DEFAULT_REGION) -> Party:
    """Normalise one address as seen by a subscriber in ``region`` (ISO code)."""
    text = strip_address(raw)
    if not text:
        return Party(key="", display="", kind=KIND_UNKNOWN)
    if "@" in text:
        return Party(key=text.casefold(), display=text, kind=KIND_EMAIL)
    compact = _FORMATTING.sub("", text)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits.isdigit() or not digits.isascii():
        # Shown as received: the stripping above is for comparing only.
        return Party(key=text.casefold(), display=raw, kind=KIND_ALPHA)
    if not plus and len(digits) <= 6:
        return Party(key=digits, display=digits, kind=KIND_SHORTCODE)
    num: phonenumbers.PhoneNumber | None
    if plus:
        num = _try_parse("+" + digits, None)
    elif digits.startswith("00"):
        num = _try_parse("+" + digits[2:], None)
    elif digits.startswith("011") and region == "US":
        num = _try_parse("+" + digits[3:], None)
    else:
        # National form in the subscriber's region first (07700900123 in GB,
        # 2145555273 in the US; phonenumbers also strips a leading country code
        # of that region, 12145555273 in the US), then international without '+'.
        num = _try_parse(digits, region) or _try_parse("+" + digits, None)
    if num is None:
        return Party(key=digits, display=("+" if plus else "") + digits, kind=KIND_UNKNOWN)
    e164 = _e164(num)
    return Party(key=e164, display=e164, kind=KIND_NUMBER)


@lru_cache(maxsize=4096)
def normalize_subscriber(mobile: str) -> Party:
    """A subscriber's own number is international (``19465559040``): normalise it as such."""
    text = strip_address(mobile)
    compact = _FORMATTING.sub("", text).lstrip("+")
    if compact.isdigit() and len(compact) > 6:
        num = _try_parse("+" + compact, None)
        if num is not None:
            e164 = _e164(num)
            return Party(key=e164, display=e164, kind=KIND_NUMBER)
    return normalize_party(mobile, _DEFAULT_REGION)
