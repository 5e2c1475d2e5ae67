# SPDX-License-Identifier: MIT
"""Find internal keys (catalogue keys, snake_case ids) in text a person reads."""

from __future__ import annotations

import html as _html
import re

from evenstride.clinical.catalog import CATALOG
from evenstride.clinical.models import SYMPTOM_REGIONS, TARGETS
from evenstride.clinical.protocols import PROTOCOLS

_SNAKE = re.compile(r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
#: Keys that are also plain words (a "plank", a "row", a "calf").
_WORDS = {k for k in (*CATALOG, *PROTOCOLS, *TARGETS, *SYMPTOM_REGIONS) if "_" not in k}


def visible_text(page: str) -> str:
    """The text of an HTML page as a reader sees it (no style, script, tags or attributes)."""
    page = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return _html.unescape(page)


def internal_keys(text: str) -> list[str]:
    """snake_case tokens (``single_hop``, ``hip_abductors``) found in ``text``."""
    return sorted(set(_SNAKE.findall(text)) - _WORDS)
