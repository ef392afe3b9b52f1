"""extract: draft claims from a plain-text page, one per quantitative statement.

The text is cut into sentences and table rows (:mod:`stemcli.text.segments`); every quantity
the dataset's grammar reads (:func:`stemcli.quantities.scan`) becomes a draft claim quoting
its sentence, unless it is not a claim at all (years, phone numbers, list numbering,
citation years, ages, K&L grades, URLs and DOIs) or it is the timepoint of another number
in the sentence ("pain decreased 70% over 6 weeks" is one draft: 70%, timepoint 6 weeks).

Everything but the value and the quote is a *guess* for a person to confirm: condition and
stage (names and aliases from the dataset, then fuzzy matching), outcome, measure,
timepoint, comparator, n and basis. Each draft lists which of its fields are guesses.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from stemcli.errors import InputError, UsageError
from stemcli.model import Claim, Condition, Dataset, Quantity
from stemcli.quantities import Found, QuantityError, dimension, parse, scan
from stemcli.text.segments import LineIndex, Segment, segments

__all__ = [
    "ALWAYS_GUESSED",
    "Draft",
    "Extraction",
    "check_source_id",
    "default_source_id",
    "extract",
]

# fields every draft guesses (timepoint, comparator and n are guesses only when set)
ALWAYS_GUESSED = ("condition", "stages", "outcome", "measure", "basis")
_SLUG = re.compile(r"[a-z0-9][a-z0-9_.-]{0,80}")


@dataclass(frozen=True, slots=True)
class Draft:
    """A proposed claim: the value and quote come from the text, the rest is guessed."""

    id: str
    value: Quantity
    quote: str
    start: int  # the value's span in the text (characters)
    end: int
    line: int
    column: int
    condition: str
    stages: tuple[str, ...]
    outcome: str
    measure: str
    basis: str
    timepoint: Quantity | None = None
    comparator: str | None = None
    n: int | None = None
    guessed: tuple[str, ...] = ALWAYS_GUESSED

    def to_claim(self, source: str) -> Claim:
        return Claim(
            id=self.id,
            source=source,
            condition=self.condition,
            stages=self.stages,
            outcome=self.outcome,
            measure=self.measure,
            value=self.value,
            quote=self.quote,
            basis=self.basis,
            timepoint=self.timepoint,
            comparator=self.comparator,
            n=self.n,
        )


@dataclass(frozen=True, slots=True)
class Extraction:
    source_id: str
    path: str
    drafts: tuple[Draft, ...]
    segments: int = 0  # sentences and table rows read


def default_source_id(stem: str) -> str:
    """A source id made from a file name: lowercase, words joined by '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return slug[:60].strip("-") or "new-source"


def check_source_id(source_id: str) -> str:
    if not _SLUG.fullmatch(source_id):
        raise UsageError(
            f"source id {source_id!r} is not a slug",
            hint="use lowercase letters, digits and '-', e.g. --source-id my-clinic",
        )
    return source_id


# ---------------------------------------------------------------------------
# what is not a claim: masked out before scanning (offsets are kept)

_MASK_CHAR = "\x00"  # read_text refuses NUL bytes, so it never occurs in real text
_QUALIFIED_BEFORE = re.compile(
    r"\b(?:under|over|above|below|than|least|most|up to|aged? (?:under|over))\s*$", re.I
)
_MASKS = (
    # URLs, DOIs, e-mail addresses
    re.compile(r"\b(?:https?://|www\.)\S+", re.I),
    re.compile(r"\b(?:doi:\s*)?10\.\d{4,9}/\S+", re.I),
    re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # phone numbers: 02-547-1030, (555) 123-4567, +1 555 123 4567
    re.compile(
        r"(?<![\w$.,/])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?"
        r"\d{2,4}[\s.-]\d{3,4}[\s.-]\d{3,4}(?![\w%/])"
    ),
    # citation years "(2024)" and publication years "(2020, March)"
    re.compile(r"\((?:19|20)\d{2}[a-z]?(?:[,;][^()]{0,30})?\)"),
    # Kellgren-Lawrence grades: "K&L grade 3", "KL 2-3", "Kellgren-Lawrence grade IV"
    re.compile(
        r"\b(?:K\s*&\s*L|KL|Kellgren[\s-]+(?:and[\s-]+)?Lawrence)\s*(?:(?:grades?|stages?)\s*)?"
        r"(?:[0-4]|I{1,3}V?|IV)(?:\s*(?:-|–|to|or|and)\s*(?:[0-4]|I{1,3}V?|IV))?\b",
        re.I,
    ),
    # list numbering at the start of a line: "1. ", "2) "
    re.compile(r"(?m)^[ \t]*(?:[-*•][ \t]*)?\d{1,2}[.)](?=\s)"),
)
_AGE = re.compile(r"\b\d{1,3}(?:\s*-\s*|\s+)years?(?:\s*-\s*|\s+)old\b", re.I)


def _masked(text: str) -> str:
    """``text`` with what is not a claim overwritten (same length, so offsets hold)."""
    spans = [(m.start(), m.end()) for pattern in _MASKS for m in pattern.finditer(text)]
    for m in _AGE.finditer(text):
        # "55-year-old" is an age; "under 70 years old" is a threshold, a claim
        if not _QUALIFIED_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            spans.append((m.start(), m.end()))
    parts: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if end <= pos:
            continue
        start = max(start, pos)
        parts += [text[pos:start], _MASK_CHAR * (end - start)]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


# ---------------------------------------------------------------------------
# quantities a person would call one claim

_WORD_NUM = (
    r"(?:a\s+single|single|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|\d{1,3}(?:,\d{3})+|\d+)"
)
_STOP = (
    r"(?:of|to|in|for|per|and|or|with|the|a|an|by|at|from|on|than|as|is|are|was|were|be"
    r"|been|each|every|that|which|who|may|can|will|after|before|during|over|under|into)"
)
_COUNT_NOUN = (
    r"(?:injections?|treatments?|infusions?|sessions?|procedures?|shots?|doses?"
    r"|patients|subjects|participants|cases|people)"
)
# "42 neuropathy patients", "a single, restorative infusion", "one to three targeted injections"
_NOUN_GAP = re.compile(
    rf"(?<![\w.,$\x00-])(?P<num>{_WORD_NUM}(?:\s*(?:-|–|to|or|and)\s*{_WORD_NUM})?)"
    rf",?\s+(?:(?!{_STOP}\b)[a-z][a-z-]*,?\s+){{1,3}}(?P<noun>{_COUNT_NOUN})\b",
    re.I,
)
_DEFINITE_BEFORE = re.compile(r"\b(?:the|these|those|both)\s+$", re.I)
_FREQUENCY_BEFORE = re.compile(r"\b(?:once|twice|thrice|times|per)\s*$", re.I)
_WEAK = re.compile(r"(?i)^(?:a|an)\s+(?!single\b)")
_TIME_PREP_BEFORE = re.compile(
    r"\b(?:at|by|over|during|after|in|from|until|through|throughout|around|for)"
    r"(?:\s+(?:the|first|last|next|same))*\s*$",
    re.I,
)
_TIME_AFTER = re.compile(r"\s*(?:later|after|post\b|follow-?up|mark)", re.I)
_TIME_QUALIFIER = re.compile(r"(?:over|within|up\s+to|about|approximately|around)\s", re.I)
_AGE_AFTER = re.compile(r"\s*(?:-\s*)?old\b", re.I)
_CLAUSE_BREAK = re.compile(r"[;|]|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b|\bthen\b", re.I)
_ATTACH_WORDS = 8  # at most this many words between a number and its timepoint
_TIMEPOINT_VALUE_UNITS = ("percent", "points", "mm", "cm", None)


_DIGIT = re.compile(r"\d")
# (?<!\s): a run of spaces is tried once, from its start (no quadratic backtracking)
_JOIN = re.compile(r"(?<!\s)(?:\s+(?:and|or|to|through)\s+|\s*-\s*)", re.I)


def _scan_all(mtext: str, offset: int) -> list[Found]:
    """scan(), and again between 'and'/'or'/'to' where a range did not read as one.

    "73% and 68%" is no range (low above high) and "$5,000 and 10 sessions" mixes units:
    the grammar refuses both as a whole, so their parts are read one by one.
    """
    found = list(scan(mtext))
    covered = [(f.start, f.end) for f in found]
    gaps: list[tuple[int, int]] = []
    pos = 0
    for a, b in [*covered, (len(mtext), len(mtext))]:
        if a > pos:
            gaps.append((pos, a))
        pos = max(pos, b)
    for a, b in gaps:
        region = mtext[a:b]
        if not (_DIGIT.search(region) and _JOIN.search(region)):
            continue
        start = 0
        for m in [*_JOIN.finditer(region), None]:
            end = m.start() if m else len(region)
            if end > start:
                found.extend(
                    Found(a + start + f.start, a + start + f.end, f.quantity)
                    for f in scan(region[start:end])
                )
            if m:
                start = m.end()
    found.sort(key=lambda f: f.start)
    return [Found(f.start + offset, f.end + offset, f.quantity) for f in found]


@dataclass
class _Item:
    found: Found
    value_text: str
    quantity: Quantity
    timepoint: Found | None = None
    attached: bool = False  # used as another item's timepoint


def _words(text: str) -> int:
    return len(re.findall(r"[\w%$]+", text))


def _quantities(seg: Segment, masked: str) -> list[_Item]:
    """The claim-worthy quantities of one segment, with timepoints attached."""
    mtext = masked[seg.start : seg.end]
    found = _scan_all(mtext, seg.start)
    items: list[_Item] = []
    # spans already used, in order and not overlapping: found with a unit, then noun phrases
    taken: list[tuple[int, int]] = sorted(
        (f.start, f.end) for f in found if f.quantity.unit is not None
    )

    def free(start: int, end: int) -> bool:
        i = bisect.bisect_left(taken, (start,))
        before_ok = i == 0 or taken[i - 1][1] <= start
        return before_ok and (i == len(taken) or taken[i][0] >= end)

    for m in _NOUN_GAP.finditer(mtext):
        start, end = m.start() + seg.start, m.end() + seg.start
        if not free(start, end):
            continue
        text = f"{' '.join(m.group('num').split())} {m.group('noun')}"
        try:
            q = parse(text)
        except QuantityError:
            continue
        bisect.insort(taken, (start, end))
        items.append(_Item(Found(start, end, q), text, q))

    text_lower = seg.text.lower()
    for f in found:
        q = f.quantity
        if _not_a_claim(f, masked):
            continue
        if q.unit is None:
            # a bare number is a claim only as a cell dose ("50 million to 100 million")
            if not free(f.start, f.end) or q.low < 1e6 or "cell" not in text_lower:
                continue
            try:
                q = parse(q.text + " cells")
            except QuantityError:
                continue
            items.append(_Item(Found(f.start, f.end, q), q.text, q))
            continue
        items.append(_Item(f, q.text, q))
    items.sort(key=lambda it: it.found.start)
    _attach_timepoints(items, masked)
    return [it for it in items if not it.attached]


def _not_a_claim(f: Found, masked: str) -> bool:
    q, before = f.quantity, masked[max(0, f.start - 12) : f.start]
    if re.search(r"[A-Za-z]-$", before):
        return True  # a name with a number: "IL-6", "COVID-19 patients", "IGF-1"
    dim = dimension(q.unit)
    if _WEAK.match(q.text) and (dim != "time" or _FREQUENCY_BEFORE.search(before)):
        return True  # "a year" is a time; "a patient", "an injection", "twice a week" are not
    # "the two treatments", "both patients": a reference, not a count
    return dim in ("sessions", "patients") and _DEFINITE_BEFORE.search(before) is not None


def _is_time(it: _Item) -> bool:
    return it.quantity.unit is not None and dimension(it.quantity.unit) == "time"


def _attach_timepoints(items: list[_Item], masked: str) -> None:
    """Make a time quantity the timepoint of a nearby number it qualifies."""
    for i, t in enumerate(items):
        if not _is_time(t):
            continue
        t_start = t.found.start
        if _AGE_AFTER.match(masked, t.found.end):
            continue  # "under 70 years old" is a threshold, not a timepoint
        prep = (
            _TIME_QUALIFIER.match(t.quantity.text) is not None
            or _TIME_PREP_BEFORE.search(masked, max(0, t_start - 30), t_start) is not None
            or _TIME_AFTER.match(masked, t.found.end, t.found.end + 20) is not None
        )
        # the number before it: "70% over 6 weeks", "85% ... during years 1-3"
        for v in reversed(items[:i]):
            between = masked[v.found.end : t_start]
            if _CLAUSE_BREAK.search(between) or _words(between) > _ATTACH_WORDS:
                break
            if v.attached or _is_time(v) or v.timepoint is not None:
                continue
            if v.quantity.unit not in _TIMEPOINT_VALUE_UNITS:
                break
            if prep or not between.strip():
                v.timepoint, t.attached = t.found, True
            break
        if t.attached:
            continue
        # a fronted time: "at 3 months, approximately 20% ...", "After 12 weeks, ... 85 points"
        if not re.match(r"\s*,", masked[t.found.end : t.found.end + 3]) or not prep:
            continue
        for v in items[i + 1 :]:
            if v.attached or _is_time(v) or v.timepoint is not None:
                break
            if v.quantity.unit not in _TIMEPOINT_VALUE_UNITS:
                break
            between = masked[t.found.end : v.found.start].lstrip(" ,")
            if not (_CLAUSE_BREAK.search(between) or _words(between) > _ATTACH_WORDS):
                v.timepoint, t.attached = t.found, True
            break


# ---------------------------------------------------------------------------
# guesses


@dataclass(frozen=True)
class _ConditionMatcher:
    names: re.Pattern[str] | None  # every name and alias, longest first, any case
    acronyms: re.Pattern[str] | None  # short all-caps aliases ("RA", "OA"): exact case
    by_name: dict[str, str]  # normalised name -> condition id
    fuzzy: tuple[tuple[str, str], ...]  # (condition id, lowercase alias) for rapidfuzz
    general: str | None


def _name_key(text: str) -> str:
    return " ".join(re.split(r"[\s-]+", text.lower().strip()))


def _alternation(names: Iterable[str]) -> str:
    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    return "|".join(re.escape(n).replace(r"\ ", r"[\s-]+") for n in ordered)


def _condition_matcher(ds: Dataset) -> _ConditionMatcher:
    by_name: dict[str, str] = {}
    words: list[str] = []
    acronyms: list[str] = []
    for c in ds.conditions.values():
        for raw in (c.name, *c.aliases):
            name = raw.strip()
            if not name:
                continue
            by_name.setdefault(_name_key(name), c.id)
            (acronyms if len(name) <= 3 and name.isupper() else words).append(name)
    names = (
        re.compile(rf"(?<![\w-])(?:{_alternation(words)})(?:s|es)?(?![\w-])", re.I)
        if words
        else None
    )
    acr = re.compile(rf"(?<![\w-])(?:{_alternation(acronyms)})(?![\w-])") if acronyms else None
    fuzzy = tuple(
        sorted(
            ((cid, name) for name, cid in by_name.items() if len(name) >= 8),
            key=lambda cn: (-len(cn[1]), cn[1]),
        )
    )
    general = "general" if "general" in ds.conditions else None
    return _ConditionMatcher(names, acr, by_name, fuzzy, general)


_Hit = tuple[str, int, int]  # condition id, start, end


def _condition_hits(matcher: _ConditionMatcher, text: str) -> list[_Hit]:
    """Conditions named in ``text`` by name or alias."""
    hits: list[_Hit] = []
    for pattern in (matcher.names, matcher.acronyms):
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            key = _name_key(m.group())
            cid = (
                matcher.by_name.get(key)
                or matcher.by_name.get(key[:-1])
                or matcher.by_name.get(key[:-2])
            )
            if cid is not None:
                hits.append((cid, m.start(), m.end()))
    return hits


def _fuzzy_hits(matcher: _ConditionMatcher, text: str) -> list[_Hit]:
    """Conditions named with a slip ("rotater cuff tear"), by rapidfuzz's partial ratio."""
    from rapidfuzz import fuzz

    low = text.lower()
    hits: list[_Hit] = []
    seen: set[str] = set()
    for cid, alias in matcher.fuzzy:
        if cid == matcher.general or cid in seen:
            continue
        res = fuzz.partial_ratio_alignment(alias, low, score_cutoff=_FUZZY_CUTOFF)
        if res is not None:
            seen.add(cid)
            hits.append((cid, res.dest_start, res.dest_end))
    return hits


def _ranked(hits: Iterable[_Hit], near: int) -> list[str]:
    """Condition ids of ``hits``, the one nearest to offset ``near`` first."""
    best: dict[str, int] = {}
    for cid, start, end in hits:
        d = 0 if start <= near < end else min(abs(start - near), abs(end - near))
        best[cid] = min(best.get(cid, d), d)
    return sorted(best, key=lambda cid: (best[cid], cid))


_FUZZY_CUTOFF = 90


@functools.lru_cache(maxsize=256)
def _stage_patterns(cond: Condition) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    ids = [st.id for st in cond.stages]
    for st in cond.stages:
        for alias in st.aliases:
            body = re.escape(alias).replace(r"\ ", r"[\s-]+")
            out.append((st.id, re.compile(rf"(?<![\w-]){body}(?![\w-])", re.I)))
        # a bare stage id only next to the word stage: "early stage", "early to middle stages"
        others = "|".join(re.escape(i) for i in ids)
        out.append(
            (
                st.id,
                re.compile(
                    rf"(?<![\w-]){re.escape(st.id)}(?:\s*(?:-|to|or|and|,)\s*(?:{others}))*"
                    rf"[\s-]+stages?\b",
                    re.I,
                ),
            )
        )
        if "-" in st.id:
            out.append((st.id, re.compile(rf"(?<![\w-]){re.escape(st.id)}(?![\w])", re.I)))
    return tuple(out)


def _stages_in(cond: Condition, text: str) -> tuple[str, ...]:
    found: list[str] = []
    for sid, pat in _stage_patterns(cond):
        if sid not in found and pat.search(text):
            found.append(sid)
    # "early to middle stages": every stage between the first and the last named
    ids = cond.stage_ids
    range_m = (
        re.search(
            rf"\b({'|'.join(map(re.escape, ids))})\s+to\s+({'|'.join(map(re.escape, ids))})\b",
            text,
            re.I,
        )
        if ids
        else None
    )
    if range_m:
        a, b = ids.index(range_m.group(1).lower()), ids.index(range_m.group(2).lower())
        for sid in ids[min(a, b) : max(a, b) + 1]:
            if sid not in found:
                found.append(sid)
    return tuple(s for s in ids if s in found)


_OUTCOME_WORDS: tuple[tuple[str, str], ...] = (
    ("return-to-sport", r"sports?|athletic|strenuous|intense activities|marathon"),
    (
        "return-to-activity",
        r"daily (?:life|activities)|normal activities|light activities|return to work"
        r"|back to work|resume|return(?:ed|s|ing)? to (?:daily|normal|usual|work)",
    ),
    (
        "retreatment",
        r"booster|re-?treatment|repeat\w*|second dose|adjunct\w*|additional procedures?",
    ),
    ("rehabilitation", r"physical therapy|rehabilitation|exercise|physiotherapy"),
    ("side-effects", r"side effects?|soreness|swelling|adverse|complications?"),
    ("recurrence", r"recurr\w*|relapse|symptoms (?:gradually )?return"),
    ("maintenance", r"maint\w*|sustain\w*|persist\w*"),
    ("benefit-duration", r"last(?:s|ing)?|long-term|longevity|durab\w*|lifespan"),
    (
        "time-to-effect",
        r"appear\w*|onset|kick in|take effect|begin\w*|starting|apparent|regeneration"
        r"|see (?:the )?results|work quickly",
    ),
    ("follow-up", r"follow-?up|evaluation|monitor\w*|reassessment|check-?ups?"),
    ("scar-depth", r"scars?|depth"),
    ("cartilage", r"cartilage|lesions?|defects?"),
    ("score", r"scores?|KKSS|WOMAC|KOOS|VAS"),
    ("strength", r"strength"),
    ("pain", r"pain|relief"),
    ("function", r"function\w*|mobility|range of motion|stair"),
    ("recovery-time", r"recover\w*|heal\w*|downtime"),
    ("cost", r"costs?|price\w*|afford\w*|fees?"),
    ("cell-dose", r"cells? per|dosage|million cells"),
    ("cohort-size", r"cohort|participants|subjects"),
    ("patient-profile", r"years old|elderly|tears?|damage (?:under|over)|joint space"),
    ("improvement", r"improv\w*|better|success\w*|effective\w*|respon\w*|results?|effects?"),
)


_WEAK_OUTCOME_PENALTY = 10_000


@functools.cache
def _outcome_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (oid, re.compile(rf"(?<![\w-])(?:{words})(?![\w])", re.I)) for oid, words in _OUTCOME_WORDS
    )


_Keyword = tuple[int, int, int, str]  # start, end, rank, outcome id
_OUTCOME_WINDOW = 200  # characters either side of a value searched for its outcome


def _keywords(ds: Dataset, text: str) -> list[_Keyword]:
    """Outcome words of a sentence, in order."""
    found = [
        (m.start(), m.end(), rank, oid)
        for rank, (oid, pat) in enumerate(_outcome_patterns())
        if oid in ds.outcomes
        for m in pat.finditer(text)
    ]
    found.sort()
    return found


def _guess_outcome(
    ds: Dataset, keywords: Sequence[_Keyword], start: int, end: int, q: Quantity, measure: str
) -> str:
    by_unit = {"usd": "cost", "cells": "cell-dose", "patients": "cohort-size"}
    wanted: str | None = by_unit.get(q.unit or "")
    if wanted is None and measure == "threshold":
        wanted = "patient-profile"
    if wanted is None:
        best: tuple[int, int] | None = None
        lo = bisect.bisect_left(keywords, (start - _OUTCOME_WINDOW,))
        hi = bisect.bisect_left(keywords, (end + _OUTCOME_WINDOW + 1,))
        for k_start, k_end, rank, oid in keywords[lo:hi]:
            # a word after the number counts for more: "91% of patients returned to ..."
            d = start - k_end if k_end <= start else max(0, k_start - end) // 2

            # "improved" says little: any more specific word near the value wins
            key = (d + (_WEAK_OUTCOME_PENALTY if oid == "improvement" else 0), rank)
            if best is None or key < best:
                best, wanted = key, oid
        if q.unit == "sessions" and wanted not in ("rehabilitation", "retreatment"):
            wanted = "sessions"
    if wanted in ds.outcomes:
        return wanted
    if "improvement" in ds.outcomes:
        return "improvement"
    return sorted(ds.outcomes)[0] if ds.outcomes else "improvement"


_RESPONDERS = re.compile(
    r"^\s*(?:of\s+(?:the\s+)?(?:\w+\s+)?(?:patients|participants|subjects|people|cases|users)"
    r"|(?:\w+\s+){0,2}(?:rate|responders?))\b",
    re.I,
)
_RELATIVE_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:lower|higher|greater|better|more|less|faster|slower|cheaper|stronger)\b",
    re.I,
)
_CHANGE_BEFORE = re.compile(
    r"\b(?:improv\w*|increas\w*|decreas\w*|reduc\w*|rose|fell|by)\s*$", re.I
)
_AGE_BEFORE = re.compile(r"\b(?:patients|people|aged?|elderly|adults)\s*\(?\s*$", re.I)
_AT_BEFORE = re.compile(r"\b(?:at|by|after|from|until)(?:\s+the)?\s*$", re.I)


def _guess_measure(ds: Dataset, text: str, start: int, end: int, q: Quantity) -> str:
    after, before = text[end : end + 60], text[max(0, start - 40) : start]
    unit, dim = q.unit, dimension(q.unit)
    choice: str
    if dim == "percent":
        share = _RESPONDERS.match(after) is not None or _N_OF.search(q.text) is not None
        choice = "responder-rate" if share and q.high <= 100 else "effect"
    elif dim == "time":
        if q.qualifier != "exact" and (
            re.match(r"(?i)\s*(?:-\s*)?old\b", after) or _AGE_BEFORE.search(before)
        ):
            choice = "threshold"
        elif (
            re.match(r"(?i)(?:week|day|month|year)s?\s", q.text)
            or _AT_BEFORE.search(before)
            or re.match(r"(?i)\s*(?:after|later|post)\b", after)
        ):
            choice = "time-point"
        else:
            choice = "duration"
    elif dim == "money":
        choice = "cost"
    elif dim == "cells":
        choice = "dose"
    elif dim == "times":
        choice = "ratio" if _RELATIVE_AFTER.match(after) or "fold" in q.text.lower() else "count"
    elif dim == "points":
        choice = "effect" if _CHANGE_BEFORE.search(before) else "score"
    elif dim == "length":
        choice = "threshold" if q.qualifier != "exact" else "size"
    else:
        choice = "count"
    if (
        unit == "percent"
        and q.qualifier in ("at-least", "at-most")
        and re.match(r"(?i)\s*(?:joint space|of (?:the )?(?:joint|damage))", after)
    ):
        choice = "threshold"
    return _valid_measure(ds, choice, q)


def _valid_measure(ds: Dataset, choice: str, q: Quantity) -> str:
    """``choice`` if the dataset has it and it allows the value; else the first that does."""
    dim = dimension(q.unit)

    def ok(mid: str) -> bool:
        m = ds.measures.get(mid)
        if m is None:
            return False
        if m.dimensions and dim not in m.dimensions:
            return False
        return not (m.max_percent is not None and q.unit == "percent" and q.high > m.max_percent)

    if ok(choice):
        return choice
    for mid in ds.measures:
        if ok(mid) and ds.measures[mid].dimensions:
            return mid
    for mid in ds.measures:
        if ok(mid):
            return mid
    return choice


_STUDY = re.compile(
    r"\b(?:stud(?:y|ies)|trials?|reviews?|meta-analys[ie]s|research\w*|published|journal"
    r"|evidence|literature)\b",
    re.I,
)
_CASE = re.compile(
    r"\b(?:\d{1,3}-years?-old|aged \d{1,3}"
    r"|a (?:similar )?patient (?:with|who|receiving|doing|treated)"
    r"|(?:our|one|a) case\b|case (?:study|report|of a)|actual cases|both patients)",
    re.I,
)
_CLINIC_DATA = re.compile(
    r"\b(?:data|our (?:patients|results|clinic|experience|records)|results of \d[\d,]*"
    r"|we (?:treated|have treated|saw))\b",
    re.I,
)
_COMPARATOR = re.compile(
    r"[^.;|]{0,60}?\b(?:than|compared\s+(?:to|with)|versus|vs\.?|relative to)\s+"
    r"(?:for\s+|with\s+|those\s+(?:receiving|who\s+had|undergoing|treated\s+with)\s+)?"
    r"(?P<c>[A-Za-z][\w+/-]*(?:\s+[A-Za-z][\w+/-]*){0,3}?)"
    r"(?=\s*(?:[,.;:)(|]|$|\b(?:at|in|with|after|for|on|alone|over|by|and)\b))",
    re.I,
)
_N_OF = re.compile(r"\b(\d{1,6})\s+(?:out\s+of|of)\s+(\d{1,6})\b")


def _guess_basis(text: str, case_story: bool) -> str:
    """The basis of a sentence's numbers; ``case_story``: the paragraph tells a case."""
    if case_story or _CASE.search(text):
        return "case-report"
    if _STUDY.search(text):
        return "cited-study"
    if _CLINIC_DATA.search(text):
        return "clinic-data"
    return "none"


# ---------------------------------------------------------------------------
# the operation


@dataclass
class _Context:
    """What earlier sentences of the same paragraph said (case stories span sentences)."""

    paragraph: int = -1
    case_story: bool = False
    condition: str | None = None
    stages: tuple[str, ...] = ()
    n: int | None = None


@dataclass
class _Page:
    """What every draft of one text shares."""

    ds: Dataset
    matcher: _ConditionMatcher
    lines: LineIndex
    doc_condition: str | None
    heading_condition: str | None = None


@dataclass
class _Sentence:
    """A segment and what its drafts share, worked out once."""

    seg: Segment
    named: list[_Hit]  # specific conditions named in it, in order
    keywords: list[_Keyword]
    basis: str
    n: int | None
    stages: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def stages_of(self, cond: Condition | None) -> tuple[str, ...]:
        if cond is None:
            return ()
        if cond.id not in self.stages:
            self.stages[cond.id] = _stages_in(cond, self.seg.text)
        return self.stages[cond.id]


MAX_DRAFTS = 20_000  # a page states hundreds of numbers; more is not one page


def extract(ds: Dataset, text: str, *, source_id: str, path: str = "") -> Extraction:
    """Draft claims for every quantitative statement of ``text``."""
    check_source_id(source_id)
    masked = _masked(text)
    matcher = _condition_matcher(ds)
    page = _Page(ds, matcher, LineIndex(text), _document_condition(matcher, text))
    used_ids = {c.id for c in ds.claims}
    drafts: list[Draft] = []
    ctx = _Context()
    counter = 0
    n_segments = 0
    for seg in segments(text):
        n_segments += 1
        if seg.paragraph != ctx.paragraph:
            ctx = _Context(paragraph=seg.paragraph)
        # a question states nothing ("How many times can I receive them?")
        asks = seg.text.rstrip("\"”’') ").endswith("?")
        items = [] if asks else _quantities(seg, masked)
        named = [h for h in _condition_hits(matcher, seg.text) if h[0] != matcher.general]
        if items and not named:
            named = _fuzzy_hits(matcher, seg.text)
        named.sort(key=lambda h: (h[1], h[2]))
        if seg.heading:
            page.heading_condition = named[0][0] if named else None
        ctx.case_story = ctx.case_story or _CASE.search(seg.text) is not None
        if items:
            if len(drafts) + len(items) > MAX_DRAFTS:
                raise InputError(
                    f"{path or 'the text'}: more than {MAX_DRAFTS:,} numbers; "
                    "extract reads one page at a time"
                )
            sentence = _Sentence(
                seg,
                named,
                _keywords(ds, seg.text),
                _guess_basis(seg.text, ctx.case_story),
                _cohort(items),
            )
            for it in items:
                counter += 1
                draft_id = f"{source_id}-{counter:03d}"
                while draft_id in used_ids:
                    counter += 1
                    draft_id = f"{source_id}-{counter:03d}"
                used_ids.add(draft_id)
                drafts.append(_draft(page, sentence, it, draft_id, ctx))
            if sentence.n is not None:
                ctx.n = sentence.n
        if named:
            ctx.condition = named[0][0]
            cond = ds.conditions.get(ctx.condition)
            ctx.stages = _stages_in(cond, seg.text) if cond else ()
    return Extraction(source_id, path, tuple(drafts), n_segments)


_DOMINANT = 0.6  # share of condition mentions that makes a page "about" one condition
_DOMINANT_SCAN = 200_000  # characters read to decide it


def _document_condition(matcher: _ConditionMatcher, text: str) -> str | None:
    """The specific condition the page names most often (a fallback guess)."""
    counts: dict[str, int] = {}
    for cid, _, _ in _condition_hits(matcher, text[:_DOMINANT_SCAN]):
        if cid != matcher.general:
            counts[cid] = counts.get(cid, 0) + 1
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    if best is None or best[1] < _DOMINANT * sum(counts.values()):
        return matcher.general
    return best[0]


def _cohort(items: Iterable[_Item]) -> int | None:
    for it in items:
        q = it.quantity
        if q.unit == "patients" and q.low == q.high and q.low == int(q.low) and q.low > 0:
            return int(q.low)
    return None


def _nearest(named: Sequence[_Hit], pos: int) -> str:
    """The condition of the hit nearest to ``pos`` (``named`` is in text order)."""
    i = bisect.bisect_left(named, (pos,), key=lambda h: (h[1],))
    near = named[max(0, i - 2) : i + 2]
    return _ranked(near, pos)[0]


def _draft(page: _Page, sentence: _Sentence, it: _Item, draft_id: str, ctx: _Context) -> Draft:
    ds, seg = page.ds, sentence.seg
    rel_start, rel_end = it.found.start - seg.start, it.found.end - seg.start
    quote_text = seg.text
    if sentence.named:
        condition = _nearest(sentence.named, rel_start)
        stages = sentence.stages_of(ds.conditions.get(condition))
    elif ctx.condition is not None:
        condition, stages = ctx.condition, ctx.stages
    else:
        condition = (
            page.heading_condition
            or page.doc_condition
            or page.matcher.general
            or next(iter(ds.conditions), "")
        )
        stages = sentence.stages_of(ds.conditions.get(condition))
    q = it.quantity
    measure = _guess_measure(ds, quote_text, rel_start, rel_end, q)
    outcome = _guess_outcome(ds, sentence.keywords, rel_start, rel_end, q, measure)
    basis = sentence.basis
    seg_n = sentence.n
    guessed = list(ALWAYS_GUESSED)
    n: int | None = None
    if q.unit == "patients" and q.low == q.high and q.low == int(q.low) and q.low > 0:
        n = int(q.low)
    elif (m := _N_OF.search(quote_text[rel_start:rel_end])) and int(m.group(2)) > 0:
        n = int(m.group(2))
    elif seg_n is not None:
        n = seg_n
    elif ctx.n is not None:
        n = ctx.n
    elif basis == "case-report" and not re.search(r"(?i)\bboth patients\b", quote_text):
        n = 1
    if n is not None:
        guessed.append("n")
    timepoint: Quantity | None = None
    if it.timepoint is not None:
        tp_text = re.sub(r"(?i)^\s*over\s+", "", it.timepoint.quantity.text)
        try:
            timepoint = parse(tp_text)
        except QuantityError:
            timepoint = it.timepoint.quantity
        guessed.append("timepoint")
    comparator: str | None = None
    if dimension(q.unit) in ("percent", "times", "points"):
        cm = _COMPARATOR.match(quote_text, rel_end)
        if cm:
            comparator = " ".join(cm.group("c").lower().split())
            guessed.append("comparator")
    line, column = page.lines(it.found.start)
    return Draft(
        id=draft_id,
        value=Quantity(it.value_text, q.low, q.high, q.unit, q.qualifier),
        quote=quote_window(quote_text, rel_start, rel_end),
        start=it.found.start,
        end=it.found.end,
        line=line,
        column=column,
        condition=condition,
        stages=stages,
        outcome=outcome,
        measure=measure,
        basis=basis,
        timepoint=timepoint,
        comparator=comparator,
        n=n,
        guessed=tuple(guessed),
    )


# ---------------------------------------------------------------------------
# quality: drafts against a curated set of claims (tests and benchmarks/extract_quality.py)

_QUOTE_CHARS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


MAX_QUOTE = 600  # characters of a draft's quote: a sentence, or the words around its number


def quote_window(text: str, start: int, end: int, limit: int = MAX_QUOTE) -> str:
    """``text`` when it is short, else about ``limit`` characters around ``text[start:end]``
    cut at spaces: a page of numbers with no sentence ends must not give every draft the
    whole run of text (the drafts would grow with the square of the page)."""
    if len(text) <= limit:
        return text
    room = max(0, limit - (end - start)) // 2
    a, b = max(0, start - room), min(len(text), end + room)
    if a > 0:
        cut = text.find(" ", a, start)
        a = cut + 1 if cut >= 0 else a
    if b < len(text):
        cut = text.rfind(" ", end, b)
        b = cut if cut >= 0 else b
    return text[a:b].strip()


def normalise_quote(text: str) -> str:
    return " ".join(text.translate(_QUOTE_CHARS).casefold().split())


def quotes_overlap(a: str, b: str) -> bool:
    """One quote contains the other, or they share a run of half the shorter one."""
    from difflib import SequenceMatcher

    na, nb = normalise_quote(a), normalise_quote(b)
    if not na or not nb:
        return False
    if na in nb or nb in na:
        return True
    m = SequenceMatcher(None, na, nb, autojunk=False).find_longest_match(0, len(na), 0, len(nb))
    return m.size >= 0.5 * min(len(na), len(nb))


def same_value(a: Quantity, b: Quantity) -> bool:
    """Same unit and the same low and high (the qualifier and wording may differ)."""
    import math

    return (
        a.unit == b.unit
        and math.isclose(a.low, b.low, rel_tol=1e-9, abs_tol=1e-9)
        and math.isclose(a.high, b.high, rel_tol=1e-9, abs_tol=1e-9)
    )


def matches(draft: Draft, claim: Claim) -> bool:
    return same_value(draft.value, claim.value) and quotes_overlap(draft.quote, claim.quote)


@dataclass(frozen=True)
class Quality:
    """How drafts compare with curated claims of the same source."""

    claims: int
    drafts: int
    found: int  # curated claims some draft matches
    correct: int  # drafts that match some curated claim
    misses: tuple[Claim, ...]
    false_positives: tuple[Draft, ...]

    @property
    def recall(self) -> float:
        return self.found / self.claims if self.claims else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.drafts if self.drafts else 1.0


def quality(drafts: Sequence[Draft], claims: Sequence[Claim]) -> Quality:
    hit_claims = [any(matches(d, c) for d in drafts) for c in claims]
    hit_drafts = [any(matches(d, c) for c in claims) for d in drafts]
    return Quality(
        claims=len(claims),
        drafts=len(drafts),
        found=sum(hit_claims),
        correct=sum(hit_drafts),
        misses=tuple(c for c, hit in zip(claims, hit_claims, strict=True) if not hit),
        false_positives=tuple(d for d, hit in zip(drafts, hit_drafts, strict=True) if not hit),
    )
