"""The one slug rule for ids, and the one way a typed name is compared with a dataset's.

Validation (:mod:`stemcli.dataset.validate`) and resolution (:mod:`stemcli.ops.resolve`) use the
same :func:`normalise`, so that two names the program could confuse when a person types
them are refused when the dataset is loaded, not guessed between later.
"""

from __future__ import annotations

import re

__all__ = ["RESERVED_STAGES", "SLUG", "is_slug", "normalise"]

SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,119}")
# words the output uses for itself: compare's row of claims that are not stage-specific
RESERVED_STAGES = frozenset({"any"})


def is_slug(text: str) -> bool:
    """Lowercase ASCII letters, digits, '-', '_' and '.', starting with a letter or digit."""
    return SLUG.fullmatch(text) is not None


def normalise(text: str) -> str:
    """Case-folded, punctuation-light form used for exact matching."""
    t = text.casefold().replace("&", " and ")
    t = re.sub(r"[\s_\-–—/.,()']+", " ", t)
    return t.strip()
