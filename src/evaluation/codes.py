"""Codes shared by the contract, the official statistics and the analyses; imports nothing of ours."""

from __future__ import annotations

import re

__all__ = ["municipality_code"]


def municipality_code(value) -> str | None:
    """A Finnish municipality code as three-digit text: ``71``, ``"071"``, ``"KU071"`` -> ``"071"``.

    None for anything else.  Read codes as text before calling this: a YAML reader turns an
    unquoted ``071`` into the octal number 57 (the dataset contract reads the scalar as written).
    """
    if isinstance(value, bool):
        return None
    text = str(value).strip().upper()
    match = re.fullmatch(r"(?:KU)?(\d{1,3})", text)
    return match.group(1).zfill(3) if match else None
