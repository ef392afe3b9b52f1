"""The numbers of a text that may be claims: what is masked out, and timepoints attached."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from stemcli.model import Quantity
from stemcli.quantities import Found, QuantityError, dimension, parse, scan
from stemcli.text.segments import Segment

_MASK_CHAR = "\x00"  # read_text refuses NUL bytes, so it never occurs in real text
_QUALIFIED_BEFORE = re.compile(
    r"\b(?:under|over|above|below|than|least|most|up to|aged? (?:under|over)"
    # "between 25 and 70 years old": who may be treated, a range of ages
    r"|between\s+\d{1,3}\s+(?:and|to))\s*$",
    re.I,
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
    # page chrome: "Page 2 of 4", "24/7", "Open 7 days", a countdown "12d 07h 45m"
    re.compile(r"\bpage\s+\d+\s+(?:of|/)\s+\d+\b", re.I),
    re.compile(r"\b24\s*/\s*7\b"),
    re.compile(r"\bopen\s+(?:7|seven)\s+days(?:\s+a\s+week)?\b", re.I),
    re.compile(r"\b\d{1,3}\s*d\s+\d{1,2}\s*h(?:\s+\d{1,2}\s*m(?:in)?)?(?:\s+\d{1,2}\s*s)?\b", re.I),
    # list numbering at the start of a line: "1. ", "2) "
    re.compile(r"(?m)^[ \t]*(?:[-*•][ \t]*)?\d{1,2}[.)](?=\s)"),
    # an itinerary's or a plan's items: "Day 1: consultation", "Step 2 - the injection",
    # "Weeks 2-6: physiotherapy"
    re.compile(
        r"(?m)^[ \t]*(?:[-*•][ \t]*)?(?:day|week|month|step|phase)s?\s+\d{1,2}"
        r"(?:\s*[-–]\s*\d{1,2})?(?=\s*[:–—-]\s)",
        re.I,
    ),
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
    r"|been|each|every|that|which|who|may|can|will|after|before|during|over|under|into"
    # quantifiers: "one reason so many patients" counts no patients
    r"|so|many|much|few|several|more|most|all|some|other|such|reason)"
)
_COUNT_NOUN = (
    r"(?:injections?|treatments?|infusions?|sessions?|procedures?|shots?|doses?|boosters?"
    r"|patients|subjects|participants|cases|people)"
)
# "42 neuropathy patients", "a single, restorative infusion", "one to three targeted injections"
_NOUN_GAP = re.compile(
    rf"(?<![\w.,$\x00-])(?P<num>{_WORD_NUM}(?:\s*(?:-|–|to|or|and)\s*{_WORD_NUM})?)"
    rf",?\s+(?:(?!{_STOP}\b)[a-z][a-z-]*,?\s+){{1,3}}(?P<noun>{_COUNT_NOUN})\b",
    re.I,
)
_DEFINITE_BEFORE = re.compile(r"\b(?:the|these|those|both)\s+$", re.I)
# "twice a week", "300 patients a year": a rate, not a time
_FREQUENCY_BEFORE = re.compile(
    r"\b(?:once|twice|thrice|times|per|patients|people|treatments|injections|procedures"
    r"|sessions|cases)\s*$",
    re.I,
)
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
    lead: int | None = None  # where the list it ends or belongs to starts ("at 3, 6 and 12")


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
    listed = _listed_units(found, masked)
    for f in found:
        q = f.quantity
        if _not_a_claim(f, masked):
            continue
        if q.unit is None:
            if not free(f.start, f.end):
                continue
            if listed.get(f.start, ("", None))[0]:  # "at 3, 6 and 12 months": 3 months
                unit_word, lead = listed[f.start]
                if q.low == 1 and unit_word in _PLURALS:
                    unit_word = unit_word[:-1]  # "1 month", not "1 months"
                try:
                    q = parse(f"{q.text} {unit_word}")
                except QuantityError:
                    continue
                items.append(_Item(Found(f.start, f.end, q), q.text, q, lead=lead))
                continue
            if _is_score(f, masked):  # "the WOMAC score fell from 55.6 to 39"
                items.append(_Item(f, q.text, q))
                continue
            pair = _score_pair(f, masked)
            if pair:  # "the KOOS score rose from 45 to 78": two scores, not a range
                items.extend(_Item(p, p.quantity.text, p.quantity) for p in pair)
                continue
            # otherwise a bare number is a claim only as a cell dose ("50 million to 100 million")
            if q.low < 1e6 or "cell" not in text_lower:
                continue
            try:
                q = parse(q.text + " cells")
            except QuantityError:
                continue
            items.append(_Item(Found(f.start, f.end, q), q.text, q))
            continue
        items.append(_Item(f, q.text, q, lead=listed.get(f.start, ("", None))[1]))
    items.sort(key=lambda it: it.found.start)
    _attach_timepoints(items, masked)
    return [it for it in items if not it.attached]


# a unit as the grammar reads it after a number (for the numbers of a list)
_UNIT_WORD = {"percent": "%", "cells-per-kg": "cells/kg"}
_PLURALS = ("hours", "days", "weeks", "months", "years", "sessions", "patients", "points")
_LIST_SEP = re.compile(r"\s*,\s*(?:(?:and|or|&)\s+)?|\s+(?:and|or|&|to)\s+", re.I)


def _listed_units(found: list[Found], masked: str) -> dict[int, tuple[str, int | None]]:
    """The numbers of a list: "at 3, 6 and 12 months", "at 6 weeks, 3 months and 12 months",
    "1, 2 or 3 injections", "from 8 to 3 points". Maps each number's start to the unit
    word a bare number takes from the next number with a unit ("" for one that has its
    own) and the start of the list (what comes before the list says what its numbers are)."""
    out: dict[int, tuple[str, int | None]] = {}
    run: list[Found] = []

    def flush() -> None:
        if len(run) < 2:
            return
        lead = run[0].start
        pending: list[Found] = []
        for r in run:
            q = r.quantity
            if q.unit is None:
                pending.append(r)
                continue
            single = q.low == q.high and re.match(r"[\d.]+\s*\S", q.text) is not None
            if single and not re.search(r"(?i)million|thousand|billion|[×*]|\bx\b|\$|€|£", q.text):
                word = _UNIT_WORD.get(q.unit, q.unit)
                for p in pending:
                    out[p.start] = (word, lead)
            pending = []
            out[r.start] = ("", lead)

    for f in found:
        if run and not _LIST_SEP.fullmatch(masked, run[-1].end, f.start):
            flush()
            run = []
        q = f.quantity
        plain = re.fullmatch(r"\d{1,4}(?:\.\d+)?|[A-Za-z]+", q.text.strip()) is not None
        if q.unit is None and not (plain and q.low < 1900):
            flush()
            run = []
            continue
        run.append(f)
    flush()
    return out


_SCALE = re.compile(
    r"\b(?:WOMAC|VAS|KOOS|IKDC|Lysholm|ODI|NRS|NPRS|KSS|KKSS|ASES|Tegner|Oxford(?:\s+knee)?"
    r"|(?:pain\s+)?scores?|index)\b",
    re.I,
)
_SCORE_BEFORE = re.compile(
    r"(?:\bfrom|\bto|\bof|\bat|\bwas|\bis|\bwere|\breached|\bdown|\bup|:|=|→|->)\s*$", re.I
)


def _is_score(f: Found, masked: str) -> bool:
    """A bare number on a clinical scale named just before it ("WOMAC from 55.6 to 39")."""
    q = f.quantity
    if q.low != q.high or not 0 <= q.low <= 300 or not re.fullmatch(r"\d+(?:\.\d+)?", q.text):
        return False
    before = masked[max(0, f.start - 60) : f.start]
    if not _SCORE_BEFORE.search(before):
        return False
    ends = [m.end() for m in _SCALE.finditer(before)]
    return bool(ends) and not _CLAUSE_BREAK.search(before, ends[-1])


# a discount: "20% off this month", "save 20%", "a 20% discount" (a bare "40% off." at the
# end of a sentence stays a draft: a person decides)
_DISCOUNT_AFTER = re.compile(
    r"\s*(?:off\s+(?:this|that|the|your|all|any|every|now|today)\b|discount)", re.I
)
_DISCOUNT_BEFORE = re.compile(
    r"\b(?:save|saving|discount of|reduction of)\s+(?:up\s+to\s+)?$", re.I
)
# how common a disease is: "affects about 50 % of people with diabetes"
_PREVALENCE_BEFORE = re.compile(
    r"\b(?:affects?|affecting|prevalence\s+of|signs\s+of\s+[\w\s]{0,20}?\bin"
    r"|suffers?\s+from|diagnosed\s+in)\s+(?:about|around|roughly|nearly|some|up\s+to|over)?\s*$",
    re.I,
)
# not about the treatment: "100 % legal", "0% financing", "15 years ago", "After 10 years of
# burning feet"
_NOT_RESULT_AFTER = re.compile(
    r"\s*(?:legal|natural|organic|owned|certified|autologous|financing|finance|interest|APR"
    r"|VAT|tax|deposit|down\s+payment)\b"
    r"|\s+ago\b"  # "founded 15 years ago": a date
    r"|\s+of\s+(?:[\w-]+\s+)?(?:pain|suffering|burning|agony|symptoms|disability|experience"
    r"|struggl\w*|living\s+with)\b",
    re.I,
)
_REFERENCE_AFTER = re.compile(r"\s+(?:figure|claim|number|statistic|promise)s?\b", re.I)
_SINGULAR = re.compile(
    r"\b(?:patient|participant|subject|case|treatment|injection|session|procedure|infusion"
    r"|dose|shot|booster)$",
    re.I,
)
_CAREER_BEFORE = re.compile(
    r"\b(?:studied|practi[cs]ed|worked|working|been\s+(?:treating|practi[cs]ing|in\s+business)"
    r"|suffered|struggled|lived\s+with)"
    r"\b[^.;|]{0,40}\bfor\s+$",
    re.I,
)


_PAIR = re.compile(r"(\d+(?:\.\d+)?)(\s*(?:-|to)\s*)(\d+(?:\.\d+)?)")


def _score_pair(f: Found, masked: str) -> list[Found]:
    """The two scores of "from 45 to 78" on a named scale, which the grammar reads as a range."""
    q = f.quantity
    m = _PAIR.fullmatch(masked, f.start, f.end)
    if m is None or q.low == q.high or not re.search(r"(?i)\bfrom\s*$", masked[: f.start][-12:]):
        return []
    before = masked[max(0, f.start - 60) : f.start]
    ends = [s.end() for s in _SCALE.finditer(before)]
    if not ends or _CLAUSE_BREAK.search(before, ends[-1]):
        return []
    out = []
    for g in (1, 3):
        try:
            out.append(Found(m.start(g), m.end(g), parse(m.group(g))))
        except QuantityError:
            return []
    return out


def _not_a_claim(f: Found, masked: str) -> bool:
    q, before = f.quantity, masked[max(0, f.start - 12) : f.start]
    dim = dimension(q.unit)
    if dim in _TERMS_DIMENSIONS and _TERMS.search(_clause(masked, f.start, f.end)):
        return True  # "we refund 90% of your deposit", "fined $3.6 million"
    wide = masked[max(0, f.start - 60) : f.start]
    if dim == "percent" and (
        _DISCOUNT_AFTER.match(masked, f.end)
        or _DISCOUNT_BEFORE.search(wide)
        or _PREVALENCE_BEFORE.search(wide)
    ):
        return True
    if _NOT_RESULT_AFTER.match(masked, f.end) or (dim == "time" and _CAREER_BEFORE.search(wide)):
        return True
    if _DEFINITE_BEFORE.search(before) and _REFERENCE_AFTER.match(masked, f.end):
        return True  # "The 95% figure is not supported": a claim referred to, not made
    if dim in ("patients", "sessions") and re.match(r"['’]s\b", masked[f.end : f.end + 3]):
        return True  # "One patient's experience": whose, not how many
    if dim in ("patients", "sessions") and q.low != 1 and _SINGULAR.search(q.text):
        return True  # "our 2022 patient survey": a year before a noun, not a count
    if q.unit == "points" and _SCALE_LENGTH.match(masked, f.end):
        return True  # "a 10-point pain scale" is the length of the scale
    if re.search(r"[A-Za-z]-$", before):
        return True  # a name with a number: "IL-6", "COVID-19 patients", "IGF-1"
    if _WEAK.match(q.text) and (dim != "time" or _FREQUENCY_BEFORE.search(before)):
        return True  # "a year" is a time; "a patient", "an injection", "twice a week" are not
    # "the two treatments", "both patients": a reference, not a count
    return dim in ("sessions", "patients") and _DEFINITE_BEFORE.search(before) is not None


_SCALE_LENGTH = re.compile(r"\s*(?:[a-z-]+\s+)?scale\b", re.I)
# the terms of a sale or of an order, and a publisher's service: deposits, refunds,
# cancellations, finance, fines and penalties, how fast enquiries are answered
_TERMS = re.compile(
    r"\b(?:deposits?|refund\w*|cancel\w*|financ(?:e|ing)|instal?lments?|interest[\s-]free"
    r"|fined|fines|penalt(?:y|ies)|settlements?|ordered|under\s+the\s+order"
    r"|(?:price|money|fee|cost)s?\s+back"
    r"|(?:answer|reply|replies|respond|responds)\s+(?:to\s+)?(?:every|each|all|your|any)?\s*"
    r"(?:enquir\w*|inquir\w*|e-?mails?|messages?|questions?|calls?))\b",
    re.I,
)
_TERMS_DIMENSIONS = ("percent", "time", "money", "eur", "gbp")
_CLAUSE_END = re.compile(r"[.;!?|\n]")


def _clause(text: str, start: int, end: int) -> str:
    """The clause around ``text[start:end]``: to the nearest full stop, semicolon or bar."""
    window = text[max(0, start - 200) : start]
    cuts = [m.end() for m in _CLAUSE_END.finditer(window)]
    a = max(0, start - 200) + (cuts[-1] if cuts else 0)
    m = _CLAUSE_END.search(text, end, end + 200)
    return text[a : m.start() if m else min(len(text), end + 200)]


def _is_time(it: _Item) -> bool:
    return it.quantity.unit is not None and dimension(it.quantity.unit) == "time"


_FRONTED = re.compile(
    r"(?:\s+(?:after|post|following|of)\s+(?:the\s+|your\s+|their\s+)?"
    r"(?:treatment|injection|procedure|therapy|surgery|infusion|follow-?up)s?"
    # "At the 12-month follow-up, 70% ..."
    r"|\s+(?:follow-?up|mark|visit|check-?up|assessment|evaluation|review)s?)?\s*,",
    re.I,
)
_STRONG_PREP_BEFORE = re.compile(r"\b(?:at|after|by)(?:\s+the)?\s*$", re.I)
_ATTACH_WORDS_STRONG = 16
_FAR_VALUE_UNITS = ("percent", "points", None)  # not sizes: "a tear (1.5cm) ... by week 3"


def _share_timepoint(earlier: list[_Item], v: _Item, t: _Item, masked: str) -> None:
    """A time set off at the end ("61% after X, compared with 32% after Y, at 12 months")
    holds for the numbers of the same unit before ``v`` too."""
    for u in reversed(earlier):
        if _CLAUSE_BREAK.search(masked, u.found.end, v.found.start):
            break
        if u.timepoint is None and not u.attached and u.quantity.unit == v.quantity.unit:
            u.timepoint = t.found


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
        # "at", "after", "by": a timepoint, which may end a long clause ("Nine out of ten of
        # our patients with early-stage knee osteoarthritis report less pain at 6 months")
        strong = _STRONG_PREP_BEFORE.search(masked, max(0, t_start - 20), t_start) is not None
        reach = _ATTACH_WORDS_STRONG if strong else _ATTACH_WORDS
        # the number before it: "70% over 6 weeks", "85% ... during years 1-3"
        for j in range(i - 1, -1, -1):
            v = items[j]
            between = masked[v.found.end : t_start]
            far = reach if v.quantity.unit in _FAR_VALUE_UNITS else _ATTACH_WORDS
            if _CLAUSE_BREAK.search(between) or _words(between) > far:
                break
            if v.attached or _is_time(v) or v.timepoint is not None:
                continue
            if v.quantity.unit not in _TIMEPOINT_VALUE_UNITS:
                break
            if prep or not between.strip():
                v.timepoint, t.attached = t.found, True
                if strong and re.search(r",\s*\S+(?:\s+the)?\s*$", between):
                    _share_timepoint(items[:j], v, t, masked)
            break
        if t.attached:
            continue
        # a fronted time: "at 3 months, approximately 20% ...", "After 12 weeks, ... 85 points",
        # "Six months after treatment, 70% ..."
        fronted = _FRONTED.match(masked, t.found.end)
        if fronted is None or not prep:
            continue
        for v in items[i + 1 :]:
            if v.attached or _is_time(v) or v.timepoint is not None:
                break
            if v.quantity.unit not in _TIMEPOINT_VALUE_UNITS:
                break
            between = masked[fronted.end() : v.found.start].lstrip(" ,")
            if not (_CLAUSE_BREAK.search(between) or _words(between) > _ATTACH_WORDS):
                v.timepoint, t.attached = t.found, True
            break
