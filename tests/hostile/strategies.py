"""Generators of what users and data give stemcli: datasets, pages, quantities, command lines.

Datasets are drawn as Python values (so any character can go into any field) and written
with the C YAML emitter, which is quick enough for thousands of examples. Identifiers
are mostly valid, so that most datasets load and reach every renderer; free text is
hostile throughout.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from .conftest import PAYLOADS

# ---------------------------------------------------------------------------
# text

PIECES = [
    *PAYLOADS.values(),
    "\x1b", "\x1b[", "\x9b", "\x85", "\r", "\r\n", "\x0b", "\x0c", "\x00", "\x7f", "\x1c",
    "\u2028", "\u2029", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u00a0", "\U000e0041",
    "\u202e", "\u2066", "–", "−", "٥", "５", "漢字", "😀", "e\u0301",
    "[red]", "[/]", "{", "}", "&", "*", "!", "|", "#", ":", "- ", "? ", "'", '"', "\\",
    "=", "+", "@", "<script>", "%", "$", "-", " ", ".", ",", "\n", "\t",
    "5", "50", "60-70", "1,000", "0.5", "1e400", "to", "and", "between", "over", "about",
    "up to", "weeks", "months", "days", "patients", "million",
]  # fmt: skip

hostile_text = st.one_of(
    st.text(max_size=24),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=8).map("".join),
)
"""Short text mixing terminal controls, markup, YAML and CSV syntax and the quantity grammar."""


def mostly(
    usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any], one_in: int = 4
) -> st.SearchStrategy[Any]:
    """``odd`` once in ``one_in`` draws, ``usual`` otherwise."""
    return st.one_of(*[usual] * (one_in - 1), odd)


# ---------------------------------------------------------------------------
# quantities

QUANTITIES = {
    ("pain", "effect"): [
        *("50%", "60-70%", "over 85%", "about 30%", "up to 90%", "10 points"),
        *("0-0.000000001%", "1,000,000,000%", "2 times"),
    ],
    ("improvement", "responder-rate"): ["79.3%", "nearly 100%", "40-60%", "0%"],
    ("cost", "cost"): ["$3,000 - $8,000", "$5,000", "under $2,000", "$0.5"],
    ("return-to-activity", "duration"): ["2-4 weeks", "1-2 days", "up to 3 months", "1 hour"],
    ("sessions", "count"): ["1 injection", "2 to 5 sessions", "3 times"],
    ("cell-dose", "dose"): ["50-100 million cells", "10 million cells"],
}
QUANTITY_WORDS = [
    "0", "1", "5", "50", "79.3", "1,000", "10,000,000", "1e3", "٥", "５", "½", "0.0001",
    "%", "percent", "$", "USD", "€", "-", "–", "to", "or", "and", "between", "from",
    "over", "under", "about", "nearly", "up to", "at least", "more than", "within", "~", "+",
    "days", "day", "weeks", "months", "years", "hours", "patients", "sessions",
    "million", "cells", "points", "times", "x", "per", "a", "two", "five", "twelve",
    " ", " ", ",", ".",
]  # fmt: skip
quantity_text = st.one_of(
    st.lists(st.sampled_from(QUANTITY_WORDS), max_size=10).map(" ".join),
    st.lists(st.one_of(st.sampled_from(QUANTITY_WORDS), hostile_text), max_size=6).map("".join),
    st.text(max_size=20),
)
"""Text close to the quantity grammar, and text that is not."""

# ---------------------------------------------------------------------------
# datasets

ODD_QUANTITIES = ["150%", "$1e9", "70-60 days", "-5%", "1e400", "0", "", "%"]
SOURCE_IDS = ["alpha", "beta", "gamma-2"]
CONDITION_IDS = ["knee-oa", "cond"]
STAGE_IDS = ["early", "middle", "late"]
KINDS = ["clinic", "broker", "information"]
BASES = ["none", "cited-study", "case-report", "clinic-data"]


class _Texts:
    """Draws for one dataset: free text comes from a small pool drawn once per dataset.

    Every other choice (which text, which id, how many) is a byte of one drawn string
    of bytes, so a whole dataset costs a handful of draws; shrinking a byte towards 0
    picks the first, valid value.
    """

    def __init__(self, draw: st.DrawFn, odd: int) -> None:
        self.odd = odd  # of 256: how often a field that has valid values gets hostile text
        self.pool = draw(st.lists(hostile_text, min_size=1, max_size=4))
        self.quantities = draw(st.lists(quantity_text, min_size=1, max_size=2))
        self.choices = draw(st.binary(min_size=1, max_size=160))
        self.at = 0

    def byte(self) -> int:
        b = self.choices[self.at % len(self.choices)]
        self.at += 1
        return b

    def pick(self, values: list[Any]) -> Any:
        return values[self.byte() % len(values)]

    def upto(self, most: int) -> int:
        return self.byte() % (most + 1)

    def text(self) -> str:
        return self.pick(self.pool)

    def required(self) -> str:
        """Hostile text that is not blank (for fields that must say something)."""
        text = self.text()
        return text if text.strip() or self.odd else text + "T"

    def texts(self, most: int) -> list[str]:
        return [self.text() for _ in range(self.upto(most))]

    def usually(self, values: list[Any]) -> Any:
        """One of ``values``, or now and then (``odd`` in 256) hostile text."""
        b = self.byte()
        return values[b % len(values)] if values and b < 256 - self.odd else self.pick(self.pool)

    def some(self, values: list[Any], most: int) -> list[Any]:
        """Up to ``most`` different ones of ``values`` (now and then hostile text)."""
        if not values and not self.odd:
            return []
        return list(dict.fromkeys(self.usually(values) for _ in range(self.upto(most))))


def _source(t: _Texts, sid: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": sid,
        "title": t.required(),
        "publisher": t.required(),
        "kind": t.usually(KINDS),
        "sells_treatment": t.usually([True, False]),
    }
    if t.byte() % 2:
        entry["archive"] = t.text()
        entry["sha256"] = t.usually(["0" * 64, "f" * 64])
    return entry


def _condition(t: _Texts, cid: str) -> dict[str, Any]:
    stages: list[Any] = []
    for stage in STAGE_IDS[: t.upto(3)]:
        stages.append({"id": stage, "aliases": t.texts(2)} if t.byte() % 2 else stage)
    return {"id": cid, "name": t.required(), "aliases": t.texts(3), "stages": stages}


OPTIONAL = ["timepoint", "comparator", "intervention", "citation", "n"]


def _claim(t: _Texts, cid: str, conditions: dict[str, list[str]]) -> dict[str, Any]:
    outcome, measure = t.pick(sorted(QUANTITIES))
    values = QUANTITIES[outcome, measure]
    value = t.usually(values + ODD_QUANTITIES + t.quantities if t.odd else values)
    timepoints = ["6 months", "12 weeks", "1 year"]
    condition = t.usually(sorted(conditions))
    entry: dict[str, Any] = {
        "id": cid,
        "condition": condition,
        "stages": t.some(conditions.get(condition, STAGE_IDS), 2),
        "outcome": t.usually([outcome]),
        "measure": t.usually([measure]),
        "value": value,
        "basis": t.usually([*BASES, "testimonial"] if t.odd else BASES),
        "quote": f"{t.text()} {value} {t.text()}",
    }
    present = t.byte()
    for bit, key in enumerate(OPTIONAL):
        if present & (1 << bit):
            if key == "timepoint":
                entry[key] = t.usually(timepoints + t.quantities if t.odd else timepoints)
            elif key == "n":
                entry[key] = t.usually([12, 1, 10**6, *([0, -3, 10**30, 1.5] if t.odd else [])])
            else:
                entry[key] = t.text()
    return entry


@st.composite
def dataset_values(draw: st.DrawFn, odd: int = 0) -> dict[str, Any]:
    """A dataset as Python values: {"sources.yaml": [...], "claims/x.yaml": [...], ...}.

    Free text is hostile everywhere. Sources, conditions and claims refer to each other;
    with ``odd`` 0 the ids, vocabularies and values are valid, so most of these load;
    else a field that has valid values gets hostile text ``odd`` times in 256.
    """
    t = _Texts(draw, odd)
    sids = draw(st.lists(st.sampled_from(SOURCE_IDS), min_size=1, max_size=3, unique=True))
    cids = draw(st.lists(st.sampled_from(CONDITION_IDS), min_size=1, max_size=2, unique=True))
    files: dict[str, Any] = {
        "sources.yaml": [_source(t, sid) for sid in sids],
        "conditions.yaml": [_condition(t, cid) for cid in cids],
    }
    stages = {
        c["id"]: [s if isinstance(s, str) else s["id"] for s in c["stages"]]
        for c in files["conditions.yaml"]
    }
    if t.byte() % 5 == 0:
        files["outcomes.yaml"] = {
            "measures": [{"id": "odd-measure", "description": t.text()}],
            "outcomes": [
                {
                    "id": t.usually(["odd-outcome"]),
                    "name": t.required(),
                    "family": t.usually(["benefit", "cost"]),
                }
            ],
        }
    k = 0
    for sid in sids:
        claims = []
        for _ in range(t.upto(4)):
            k += 1
            claims.append(_claim(t, t.usually([f"{sid}-{k}"]), stages))
        files[f"claims/{sid}.yaml"] = claims
    return files


class _Dumper(yaml.CSafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(value: Any) -> str:
    """YAML for ``value`` (the C emitter; no aliases)."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def text_of(files: dict[str, Any]) -> dict[str, str | bytes]:
    """Each file's content: values dumped as YAML, text and bytes as they are."""
    return {name: v if isinstance(v, str | bytes) else dump(v) for name, v in files.items()}


BREAKS = ["\t", ": [", "{", "- - -", "&a *a", "!!python/object:os.system ''", "\x00", "'", "\ufeff"]


@st.composite
def broken(draw: st.DrawFn, text: str) -> str | bytes:
    """``text`` cut short, with YAML syntax or a bad byte put in, or replaced by noise."""
    how = draw(st.sampled_from(["cut", "insert", "bytes", "noise", "encode"]))
    at = draw(st.integers(0, len(text)))
    if how == "cut":
        return text[:at]
    if how == "insert":
        return text[:at] + draw(st.one_of(st.sampled_from(BREAKS), hostile_text)) + text[at:]
    if how == "bytes":
        data = text.encode("utf-8", "surrogatepass")
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if how == "encode":
        return text.encode(draw(st.sampled_from(["utf-16", "utf-32", "latin-1"])), "replace")
    return draw(st.one_of(hostile_text, st.binary(max_size=200)))


@st.composite
def dataset_files(draw: st.DrawFn, *, breakage: bool) -> dict[str, str | bytes]:
    """Dataset files as written to disk; with ``breakage``, some files broken."""
    files = text_of(draw(dataset_values(odd=draw(st.sampled_from([0, 8, 64, 128])))))
    if breakage:
        names = sorted(files)
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
            content = files[name]
            files[name] = draw(broken(content if isinstance(content, str) else ""))
    return files


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "claims").mkdir(exist_ok=True)
    for name, content in files.items():
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return root


# ---------------------------------------------------------------------------
# pages

SENTENCES = [
    "Knee pain fell 60-70% within 3 months.",
    "It costs $3,000 - $8,000 per knee.",
    "79.3% of 58 patients improved.",
    "A 55-year-old patient was cured, guaranteed!",
    "| Cost | $5,000 | 2 sessions |",
    "|---|---|",
    "Results last up to 24 months",
    "1. Over 85% of patients",
    "FDA approved, no side effects, 100% safe.",
    "Return to sports in 4-6 weeks.",
]
page_text = st.lists(
    st.one_of(
        st.sampled_from(SENTENCES),
        hostile_text,
        quantity_text,
        st.sampled_from([" ", "\n", ". ", "\r\n", "\n\n"]),
    ),
    max_size=14,
).map("".join)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "gb18030"]


@st.composite
def huge_line(draw: st.DrawFn) -> str:
    """One long line (bounded: at most about 16,000 characters)."""
    unit = draw(st.sampled_from(["a", "9", "5% ", "|", " ", "\x1b[31m", "漢", "$1,000 "]))
    # every number of a line is a draft quoting the line: numbers get a shorter line
    most = 2_000 if any(ch.isdigit() for ch in unit) else 16_000
    n = draw(st.integers(most // 10, most)) // len(unit)
    return draw(st.sampled_from(SENTENCES)) + unit * n + draw(page_text)


@st.composite
def page_bytes(draw: st.DrawFn) -> bytes:
    """A page file's bytes: text in UTF-8 mostly, in other encodings, or noise."""
    how = draw(st.sampled_from(["utf-8"] * 5 + ["encoded", "huge", "bytes", "mixed"]))
    if how == "bytes":
        return draw(st.binary(max_size=400))
    text = draw(huge_line()) if how == "huge" else draw(page_text)
    if how == "encoded":
        return text.encode(draw(st.sampled_from(ENCODINGS)), "replace")
    data = text.encode("utf-8", "surrogatepass")
    if how == "mixed":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
    return data


_NAME_CHARS = string.ascii_letters + string.digits + "-_. "
page_name = mostly(
    st.sampled_from(["page.txt", "Clinic Page.txt", "-dash.txt", "p.md", "page", "2024.txt"]),
    st.lists(
        st.one_of(st.sampled_from(list(_NAME_CHARS)), st.sampled_from(PIECES)),
        min_size=1,
        max_size=6,
    )
    .map(lambda parts: "".join(parts).replace("/", "_").replace("\x00", "_")[:40] + ".txt")
    .filter(lambda name: len(name.encode("utf-8", "surrogatepass")) < 200),
)
"""A page file's name: plain or hostile (never a path separator or NUL)."""

# ---------------------------------------------------------------------------
# command lines

COMMANDS = [
    *("lookup", "show", "search", "compare", "conflicts"),
    *("sources", "conditions", "export", "validate"),
]
FORMATS = ["table", "json", "csv", "markdown"]
fmt = st.sampled_from(FORMATS)
environment = st.fixed_dictionaries(
    {"COLUMNS": st.sampled_from(["200", "120", "80", "60", "40", "20", "9", "3", "1"])},
    optional={"NO_COLOR": st.just("1"), "TERM": st.sampled_from(["dumb", "xterm-256color"])},
)
"""Terminal settings a user may have (COLUMNS=0 is left to its own test)."""


def _refs(values: dict[str, Any], key: str) -> list[str]:
    """Every id, name and alias of the entries of ``key`` (for arguments that name them)."""
    out: list[str] = []
    for entry in values.get(key) or []:
        if isinstance(entry, dict):
            for field in ("id", "name"):
                if isinstance(entry.get(field), str):
                    out.append(entry[field])
            out.extend(a for a in entry.get("aliases") or [] if isinstance(a, str))
    return out


def claim_ids(values: dict[str, Any]) -> list[str]:
    return [
        c["id"]
        for name, claims in values.items()
        if name.startswith("claims/") and isinstance(claims, list)
        for c in claims
        if isinstance(c, dict) and isinstance(c.get("id"), str)
    ]


def _arg(text: str) -> str:
    return text.replace("\x00", "")  # an argument of a real process cannot hold NUL


@st.composite
def command_line(draw: st.DrawFn, values: dict[str, Any], commands: list[str]) -> list[str]:
    """One of ``commands`` over the dataset ``values``, with plausible arguments and a format."""
    conditions = _refs(values, "conditions.yaml") or ["knee-oa"]
    claims = claim_ids(values) or ["none"]
    sources = [e["id"] for e in values.get("sources.yaml") or [] if isinstance(e, dict)]

    def pick(names: list[str]) -> str:
        return _arg(draw(mostly(st.sampled_from(names), hostile_text, one_in=8)))

    def maybe(*option: str) -> list[str]:
        return list(option) if draw(st.booleans()) else []

    name = draw(st.sampled_from(commands))
    argv = [name]
    if name == "lookup":
        argv.append(pick(conditions))
        argv += maybe("--stage", pick(STAGE_IDS))
        argv += maybe("--outcome", pick([o for o, _ in QUANTITIES]))
        argv += maybe("--source", pick(sources or SOURCE_IDS))
        argv += maybe("--full")
    elif name == "show":
        argv.append(pick(claims))
    elif name == "search":
        argv.append(_arg(draw(st.one_of(hostile_text, st.sampled_from(SENTENCES)))))
        argv += maybe("--limit", str(draw(st.integers(1, 30))))
        argv += maybe("--full")
    elif name == "compare":
        argv += maybe(pick(conditions))
        if len(argv) > 1:
            argv += maybe("--stage", pick(STAGE_IDS))
        argv += maybe("--outcome", pick([o for o, _ in QUANTITIES]))
        argv += maybe("--sources", ",".join(draw(st.permutations(sources or SOURCE_IDS))))
        argv += maybe("--chart")
    elif name == "conflicts":
        if draw(st.integers(0, 5)) == 0:
            argv += ["--explain", pick(claims), pick(claims)]
        else:
            argv += maybe(pick(conditions))
            argv += maybe("--kind", pick(["direct", "cross-measure"]))
            argv += maybe("--internal")
            argv += maybe("--count")
            argv += maybe("--fail-on-conflict")
            argv += maybe("--min-gap", str(draw(st.sampled_from([0, 0.5, 10, 1e9]))))
            argv += maybe("--tolerance", str(draw(st.sampled_from([0, 5, 50, 100]))))
        argv += maybe("--full")
        argv += maybe("--limit", str(draw(st.integers(1, 30))))
    if name == "export":
        argv += ["--format", draw(st.sampled_from(["json", "csv", "yaml"]))]
    else:
        # a chart goes with the table format; now and then another, which is refused
        chart = "--chart" in argv and draw(mostly(st.just(True), st.just(False)))
        argv += ["--format", "table" if chart else draw(fmt)]
    return argv
