"""Exports that publish the dataset and its findings in shapes other tools read, one module
per format: :mod:`.claimreview` (schema.org ClaimReview as JSON-LD), :mod:`.sqlite` (a
database for Datasette, and its metadata), :mod:`.datapackage` (a Frictionless data
package). Each builds from the dataset alone; writing (atomically) is the CLI's.

A listing of findings holds at most :data:`stemcli.ops.conflicts.MAX_LISTED`; each export
returns a :class:`Listed`, and says in its file and on stderr what it left out.
"""

from __future__ import annotations

from typing import NamedTuple


class Listed(NamedTuple):
    """How many findings an export lists, of how many there are (by kind, the most
    severe first within each)."""

    listed: int
    total: int

    def holding(self, what: str = "findings") -> str:
        """A sentence for a description saying what is left out; "" when nothing is."""
        if self.listed >= self.total:
            return ""
        return (
            f"It holds the first {self.listed:,} of the {self.total:,} {what} (by kind, the "
            "most severe first); stemcli conflicts counts and lists them by selection."
        )
