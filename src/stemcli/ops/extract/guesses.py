"""Guesses for a draft: condition and stage, outcome, measure and basis."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from stemcli.model import Condition, Dataset, Quantity
from stemcli.ops.extract.values import _SCALE
from stemcli.quantities import dimension


@dataclass(frozen=True)
class _ConditionMatcher:
    names: re.Pattern[str] | None  # every name and alias, longest first, any case
    acronyms: re.Pattern[str] | None  # short all-caps aliases ("RA", "OA"): exact case
    by_name: dict[str, str]  # normalised name -> condition id
    fuzzy: tuple[tuple[str, str], ...]  # (condition id, lowercase alias) for rapidfuzz
    general: str | None
    # a word of one condition's names only, before a generic noun: "autoimmune conditions"
    heads: re.Pattern[str] | None = None
    head_of: dict[str, str] = field(default_factory=dict)
    # conditions that name a group of others ("Orthopedic and musculoskeletal conditions")
    groups: frozenset[str] = frozenset()
    # such words alone, for what a whole page is about ("Osteoarthritis is ...")
    topics: re.Pattern[str] | None = None
    topic_of: dict[str, str] = field(default_factory=dict)


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
            # short names are not matched loosely: "10-point pain" is no "joint pain"
            ((cid, name) for name, cid in by_name.items() if len(name) >= _FUZZY_MIN),
            key=lambda cn: (-len(cn[1]), cn[1]),
        )
    )
    general = "general" if "general" in ds.conditions else None
    owners: dict[str, set[str]] = {}
    for c in ds.conditions.values():
        if c.id == general:
            continue
        for raw in (c.name, *c.aliases):
            for w in re.findall(r"[a-z]+", raw.lower()):
                owners.setdefault(w, set()).add(c.id)
    head_of = {
        w: next(iter(ids))
        for w, ids in owners.items()
        if len(ids) == 1 and len(w) >= 4 and w not in _NOT_HEADS
    }
    heads = (
        re.compile(rf"(?<![\w-])({_alternation(head_of)})[\s-]+{_GENERIC_NOUN}(?![\w-])", re.I)
        if head_of
        else None
    )
    topic_of = {
        w: next(iter(ids))
        for w, ids in owners.items()
        if len(ids) == 1 and len(w) >= 6 and (w not in _NOT_HEADS or w in _TOPIC_WORDS)
    }
    topics = (
        re.compile(rf"(?<![\w-])({_alternation(topic_of)})s?(?![\w-])", re.I) if topic_of else None
    )
    groups = frozenset(
        c.id
        for c in ds.conditions.values()
        if re.search(r"(?i)\bconditions\b|\(unspecified\)", c.name)
    )
    return _ConditionMatcher(
        names, acr, by_name, fuzzy, general, heads, head_of, groups, topics, topic_of
    )


class _Taken:
    """The spans of hits found already, to tell whether a new span overlaps one."""

    def __init__(self, hits: Iterable[_Hit]) -> None:
        self._spans = sorted((a, b) for _, a, b in hits)
        self._ends = list(itertools.accumulate((b for _, b in self._spans), max))

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._spans, (end,))  # spans starting before ``end``
        return i == 0 or self._ends[i - 1] <= start


def _topic_hits(matcher: _ConditionMatcher, text: str) -> list[_Hit]:
    """:func:`_condition_hits`, and words of one condition's names alone ("Shoulder")."""
    hits = _condition_hits(matcher, text)
    if matcher.topics is not None:
        taken = _Taken(hits)
        for m in matcher.topics.finditer(text):
            if taken.free(m.start(), m.end()):
                hits.append((matcher.topic_of[m.group(1).lower()], m.start(), m.end()))
    return hits


# words too loose for one sentence but telling for a whole page ("Osteoarthritis is ...")
_TOPIC_WORDS = frozenset(["osteoarthritis", "arthritic"])


# words of condition names that say too little alone ("chronic problems", "cancer patients")
_NOT_HEADS = frozenset(
    [
        "disorder",
        "disease",
        "injury",
        "injuries",
        "chronic",
        "related",
        "sports",
        "surgical",
        "unspecified",
        "cartilage",
        "osteoarthritis",
        "cancer",
        "cancers",
        "tennis",
        "arthritic",
        "inflammation",
        "transplant",
        "atrophic",
        "elbow",
        "pain",
        "tear",
        "tears",
        "damage",
        "skin",
        "burn",
        "scar",
        "scars",
        "joint",
        "conditions",
        "degenerative",
        "degeneration",
        "stem",
        "cell",
        "cells",
        "therapy",
        "treatment",
        "general",
    ]
)
_GENERIC_NOUN = (
    r"(?:conditions?|diseases?|disorders?|problems?|injur(?:y|ies)|issues?|pain|tears?|damage"
    r"|complaints?|patients|programmes?|programs?|treatments?|therap(?:y|ies)|protocols?)"
)


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
    if matcher.heads is not None:
        taken = _Taken(hits)
        for m in matcher.heads.finditer(text):
            if taken.free(m.start(), m.end()):
                hits.append((matcher.head_of[m.group(1).lower()], m.start(), m.end()))
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
    """Condition ids of ``hits``, the one nearest to offset ``near`` first; a name after
    the number counts as twice as far (the subject comes first: "partial rotator cuff
    tears and full-thickness tears of 3 cm or less, as well as tennis elbow")."""
    best: dict[str, int] = {}
    for cid, start, end in hits:
        d = 0 if start <= near < end else (near - end if end <= near else 2 * (start - near))
        best[cid] = min(best.get(cid, d), d)
    return sorted(best, key=lambda cid: (best[cid], cid))


_FUZZY_CUTOFF = 90
_FUZZY_MIN = 12


@functools.lru_cache(maxsize=256)
def _stage_patterns(cond: Condition) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    ids = [st.id for st in cond.stages]
    for st in cond.stages:
        for alias in st.aliases:
            words = alias.split()
            if len(words) == 2 and all(re.fullmatch(r"[A-Za-z-]+", w) for w in words):
                # "partial tear" also in "partial rotator cuff tears"
                a, b = map(re.escape, words)
                body = rf"{a}(?:[\s-]+[\w-]+){{0,3}}?[\s-]+{b}"
            else:
                body = re.escape(alias).replace(r"\ ", r"[\s-]+")
            out.append(
                (st.id, re.compile(rf"(?<![\w-]){body}s?(?![\w-]){_NOT_A_STAGE_AFTER}", re.I))
            )
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


# "mild fever", "mild swelling": a side effect's severity, not the disease's stage
_NOT_A_STAGE_AFTER = (
    r"(?!\s+(?:fever|swelling|soreness|discomfort|side[\s-]effects?|bruising|headaches?"
    r"|reactions?|redness|stiffness\s+after))"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_GRADE_WORD = r"(?:[0-4]|IV|I{1,3})(?![\w])"
# "grade 2", "K&L grade 3", "Kellgren-Lawrence grades 2-3", "KL 4", "stage III" (numbered
# stages follow the grades)
_GRADE = re.compile(
    r"(?:\b(?:K\s*&\s*L|KL|Kellgren[\s-]+(?:and[\s-]+)?Lawrence)(?:\s*\(K\s*&\s*L\))?\s*"
    r"(?:grades?\s*)?|\b(?:grades?|stages?)\s*)"
    rf"(?P<a>{_GRADE_WORD})(?:\s*(?:-|–|to|or|and|/)\s*(?P<b>{_GRADE_WORD}))?",
    re.I,
)


def _grade(word: str) -> int:
    w = word.lower()
    return _ROMAN[w] if w in _ROMAN else int(w)


@functools.lru_cache(maxsize=256)
def _grade_stages(cond: Condition) -> dict[int, str]:
    """Kellgren-Lawrence grades of a condition's stages, from aliases such as "K&L 3"."""
    out: dict[int, str] = {}
    for st in cond.stages:
        for alias in st.aliases:
            m = re.fullmatch(r"(?i)K\s*&\s*L\s*(?:grade\s*)?([0-4])", alias.strip())
            if m:
                out.setdefault(int(m.group(1)), st.id)
    return out


def _stages_in(cond: Condition, text: str) -> tuple[str, ...]:
    found: list[str] = []
    for sid, pat in _stage_patterns(cond):
        if sid not in found and pat.search(text):
            found.append(sid)
    grades = _grade_stages(cond)
    if grades:
        for m in _GRADE.finditer(text):
            a = _grade(m.group("a"))
            b = _grade(m.group("b")) if m.group("b") else a
            for g in range(min(a, b), max(a, b) + 1):
                graded = grades.get(g)
                if graded is not None and graded not in found:
                    found.append(graded)
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
    (
        "return-to-sport",
        r"sports?|athletic|strenuous|intense activities|marathon|hik(?:e|ed|es|ing)|running"
        r"|jogging|surf\w*|golf(?:ing)?|ski(?:ing)?|cycling|gym|cricket|football|soccer|rugby|basketball"
        r"|baseball|swimming|season",
    ),
    (
        "return-to-activity",
        r"daily (?:life|activities)|normal activities|light activities|return to work"
        r"|back (?:to|at) work|resume"
        r"|return(?:ed|s|ing)? to (?:[\w-]+\s+)?(?:daily|normal|usual|work|office|job|routine)",
    ),
    (
        "retreatment",
        r"boosters?|re-?treatment|repeat\w*|second (?:dose|injection|treatment|infusion)"
        r"|adjunct\w*|additional procedures?",
    ),
    (
        "rehabilitation",
        r"physical therapy|rehabilitation|exercise|physiotherapy"
        r"|recovery (?:plan|programme|program)s?",
    ),
    (
        "side-effects",
        r"side effects?|soreness|swelling|adverse|complications?|fever|nausea|headaches?"
        # "a flare of pain" is a side effect, whatever flares
        r"|bruising|redness|flare(?:s|-ups?)?(?:\s+(?:of|in)\s+(?:[\w-]+\s+)?pain)?",
    ),
    (
        "recurrence",
        r"recurr\w*|relaps\w*|re-?tears?|re-?injur\w*|(?:symptoms|pain) (?:gradually )?return\w*"
        r"|(?:pain|symptoms|stiffness) (?:was|were|is|are) back|came back",
    ),
    ("maintenance", r"maint\w*|sustain\w*|persist\w*"),
    (
        "benefit-duration",
        # staying in remission; reaching it is an improvement
        r"last(?:s|ed|ing)?|long-term|longevity|durab\w*|lifespan"
        r"|(?:remain\w*|stay\w*|kept|keeps?)\s+in\s+remission",
    ),
    # a time is about the outcome whose timing it states (see data/outcomes.yaml)
    ("nerve-regeneration", r"nerve regeneration|nerve repair|myelin"),
    ("nerve-conduction", r"nerve conduction|conduction velocity"),
    # numbness is sensation lost; its easing is sensation coming back
    ("sensory-recovery", r"sensory recovery|sensation|sensory|vibration sense|numbness"),
    # "cord cells are 10 times more potent": the cells' strength to regenerate
    ("cell-regeneration", r"cell regeneration|regenerat\w*|potent|potency"),
    ("full-benefit", r"full (?:regenerative )?(?:benefit|effect)|become apparent"),
    (
        "first-evaluation",
        r"initial (?:evaluation|review|assessment)"
        r"|first (?:follow-up|evaluation|check|review|visit|appointment|assessment)",
    ),
    (
        "activity-restriction",
        r"avoid (?:[\w-]+\s+){0,2}?(?:strain|strenuous|lifting|loading|sports?|running|impact)"
        r"|(?:wear|in) a (?:sling|brace)|crutches|no (?:heavy )?lifting|refrain from"
        r"|(?:should|must|do|may)\s+not\s+(?:fly|drive|travel|lift|run)|no\s+(?:flying|driving)",
    ),
    (
        "follow-up",
        r"follow-?up|evaluation|monitor\w*|reassessment|check-?ups?|(?:MRI|ultrasound) scans?"
        r"|review(?:s|ed)?|(?:patients|you)\s+(?:are|will\s+be)\s+(?:seen|checked|examined)"
        r"|(?:follow-up |control )?visits?|appointments?",
    ),
    ("scar-depth", r"scars?|depth"),
    ("cartilage", r"cartilage|lesions?|defects?"),
    # "pain scores fell by 30%" is about pain; "the WOMAC score reached 39" is a score
    ("pain", r"pain scores?"),
    ("function", r"function(?:al)? scores?"),
    ("score", r"scores?|KKSS|WOMAC|KOOS|VAS"),
    ("strength", r"strength"),
    ("pain", r"pain|relief|burning|tingling|aches?|aching"),
    (
        "function",
        r"function\w*|mobility|range of motion|stair|movement|gait"
        r"|walk(?:s|ed|ing)?\s+(?:further|farther|longer|more)|walking\s+(?:distance|speed)",
    ),
    (
        "recovery-time",
        r"recover\w*|heal\w*|downtime|walk(?:s|ed|ing)? (?:unaided|again|normally|without)"
        r"|leave the clinic|discharged"
        # the stay a treatment needs: "Plan for 4 to 6 days in the clinic's city"
        r"|plan (?:for|on)|stay (?:for|in)",
    ),
    ("cost", r"costs?|price\w*|afford\w*|fees?"),
    ("cell-dose", r"cells? per|dosage|million cells"),
    ("cohort-size", r"cohort|participants|subjects"),
    ("patient-profile", r"years old|elderly|damage (?:under|over)|joint space"),
    ("improvement", r"satisf\w*"),  # a specific word: not weak
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


_REHAB = re.compile(r"(?i)\s*(?:[\w-]+\s+)?(?:physio|therap|rehab|exercise)")
_SPACING_BEFORE = re.compile(r"\b(?:over|across|spaced)\s*$", re.I)
_SPACING_AFTER = re.compile(r"\s*apart\b", re.I)
_COURSE = re.compile(r"\b(?:infusions?|injections?|doses?|treatments?|sessions?|cells)\b", re.I)
_BREAK = re.compile(r"[;|]|,\s+and\b|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b", re.I)
_TIME_PREP = re.compile(r"\b(?:after|within|in|for|by|at|over|from|until)\s*$", re.I)
# patients harmed: "3 patients who lost their sight"
_HARMED = re.compile(
    r"\s*(?:\w+\s+)?who\s+(?:\w+\s+){0,2}?(?:lost|developed|suffered|died|experienced"
    r"|were (?:harmed|injured|hospitali[sz]ed)|went blind)\b",
    re.I,
)


_SCORE_OF = re.compile(
    r"\b(pain|function)(?:al)?\s+scores?\b(?![^.;|]*\b(?:and|or)\s+\w+\s+scores?)", re.I
)


_TIMING_OUTCOMES = frozenset(
    ["rehabilitation", "activity-restriction", "first-evaluation", "follow-up"]
)


def _guess_outcome(
    ds: Dataset,
    keywords: Sequence[_Keyword],
    start: int,
    end: int,
    q: Quantity,
    measure: str,
    text: str = "",
) -> str:
    """``text``: the sentence (words beyond a clause break say nothing of the value)."""
    by_unit = {
        "usd": "cost",
        "eur": "cost",
        "gbp": "cost",
        "cells": "cell-dose",
        "cells-per-kg": "cell-dose",
        "patients": "cohort-size",
    }
    wanted: str | None = by_unit.get(q.unit or "")
    if q.unit == "patients" and _HARMED.match(text, end):
        wanted = "side-effects"
    if (
        dimension(q.unit) == "time"
        and (
            _SPACING_BEFORE.search(text, 0, start)
            or re.match(r"(?i)over\s", q.text)
            or _SPACING_AFTER.match(text, end)
        )
        and _COURSE.search(text, 0, start)
    ):
        wanted = "sessions"  # "4 infusions of 100 million cells over 2 weeks": their spacing
    if wanted is None and measure == "threshold" and not _CRITERION_AFTER.match(text, end):
        wanted = "patient-profile"  # who is treated: "tears of 3 cm or less"
    if wanted is None:
        best: tuple[int, int] | None = None
        lo = bisect.bisect_left(keywords, (start - _OUTCOME_WINDOW,))
        hi = bisect.bisect_left(keywords, (end + _OUTCOME_WINDOW + 1,))
        # a time after a preposition times what comes before it ("walk unaided after 24
        # hours"); other numbers are about what follows ("91% of patients returned to ...")
        timed = dimension(q.unit) == "time" and _TIME_PREP.search(text, 0, start) is not None
        for k_start, k_end, rank, oid in keywords[lo:hi]:
            if q.unit == "percent" and oid in _TIMING_OUTCOMES:
                continue  # "Physiotherapy alone helps 40% of patients" is no therapy schedule
            if text and _BREAK.search(
                text, *((k_end, start) if k_end <= start else (end, k_start))
            ):
                continue
            if k_end <= start:
                d = start - k_end
            else:
                d = max(0, k_start - end) * (2 if timed else 1) // (1 if timed else 2)

            # "improved" says little: any more specific word near the value wins
            weak = rank == len(_OUTCOME_WORDS) - 1
            key = (d + (_WEAK_OUTCOME_PENALTY if weak else 0), rank)
            if best is None or key < best:
                best, wanted = key, oid
        # a number of treatments is "sessions", boosters included ("2 booster injections");
        # retreatment is when they are given
        if q.unit == "sessions" and (
            wanted != "rehabilitation"
            or not (_REHAB.search(q.text) or _REHAB.match(text, end))  # "12 physiotherapy sessions"
        ):
            wanted = "sessions"
        if measure == "score":
            # a score on a named scale of pain or function is about it ("pain scores fell
            # from 7.4 to 2.9"); other scales are scores ("the WOMAC score fell to 39")
            scale = _SCORE_OF.search(text, max(0, start - 60), start)
            wanted = (
                scale.group(1).lower()
                if scale and scale.group(1).lower() in ds.outcomes
                else "score"
            )
    if wanted in ds.outcomes:
        return wanted
    if "improvement" in ds.outcomes:
        return "improvement"
    return sorted(ds.outcomes)[0] if ds.outcomes else "improvement"


_PEOPLE = (
    r"(?:patients|participants|subjects|people|cases|users|clients|recipients|individuals|athletes"
    r"|respondents|men|women|knees|those|treatments|procedures|injections|infusions)"
)
_RESPONDERS = re.compile(
    rf"^\s*(?:of\s+(?:the\s+|our\s+|all\s+|these\s+)?(?:[\w-]+\s+){{0,2}}?{_PEOPLE}"
    r"|(?:\w+\s+){0,2}(?:rates?|responders?)|(?:patient\s+|customer\s+)?satisf\w+)\b",
    re.I,
)
# "the general effective rate is 96%", "success rates of 80-90%", "response rate: 70%"
_RATE_BEFORE = re.compile(
    r"\b(?:rates?|responders?)(?:\s+(?:is|was|are|were|of|reached|reaches|stands|stood|at"
    r"|has|have|been|around|about|approximately|nearly|over|up|to|as\s+high\s+as))*"
    r"\s*[:=]?\s*$",
    re.I,
)
# a percentage that does something is a share of people: "75% reported less pain"
_SUBJECT_OF = re.compile(
    r"\s*(?:(?:of\s+)?(?:them|those)\s+)?(?:reported|report|reports|said|say|felt|feel"
    r"|experienced|noticed|returned|achieved|regained|could|were\s+able|improved|responded"
    r"|benefit(?:t?ed)?"
    r"|became|remained|needed|required|avoided|went|were\s+(?:satisfied|better|pain-free|happy)"
    r"|had|have|has|showed|saw|were|are"
    # "38% given saline reported ...": a group of patients
    r"|given|receiving|treated\s+with|taking)\b",
    re.I,
)
# a share written without a percent sign: "9 of 10", "nine out of ten", "half of our patients"
_SHARE_WORDS = re.compile(r"\b(?:of|out\s+of|in)\b", re.I)


def _is_share(q: Quantity, before: str, after: str) -> bool:
    """Whether a percentage is a share of patients rather than the size of a change."""
    if q.high > 100:
        return False
    if _RESPONDERS.match(after) or _RATE_BEFORE.search(before) or _SUBJECT_OF.match(after):
        return True
    return not re.search(r"(?i)%|\bp(?:er\s*)?c(?:en)?t\b", q.text) and bool(
        _SHARE_WORDS.search(q.text)
    )


_RELATIVE_AFTER = re.compile(
    r"^\s*(?:\w+\s+)?(?:lower|higher|greater|better|more|less|faster|slower|cheaper|stronger)\b",
    re.I,
)
_CHANGE_BEFORE = re.compile(
    r"\b(?:improv\w*|increas\w*|decreas\w*|reduc\w*|rose|fell|by)\s*$", re.I
)
# "the benefit ... was small: about 1 point", "a difference of 12 points"
_CHANGE_NOUN = re.compile(
    r"\b(?:benefit|difference|improvement|reduction|change|gain|decrease|increase|drop)\b", re.I
)
# "pain improved by an average of 12 points"
_CHANGED_BY = re.compile(
    r"\b(?:improv\w*|fell|dropped|decreas\w*|reduc\w*|rose|increas\w*|lowered)\s+by\b"
    r"(?:\s+[\w-]+){0,4}\s*$",
    re.I,
)
_TO_BEFORE = re.compile(r"\b(?:to|reached|of)\s*$", re.I)
_FOR_BEFORE = re.compile(r"\bfor\s*$", re.I)
_AGE_BEFORE = re.compile(r"\b(?:patients|people|aged?|elderly|adults)\s*\(?\s*$", re.I)
# "at 6 months", "by week 3"; not "followed by 6 weeks of physiotherapy", a length of time
_AT_BEFORE = re.compile(
    r"\b(?:at|(?<!followed )(?<!accompanied )by|after|from|until|every)(?:\s+the)?\s*$", re.I
)


def _guess_measure(
    ds: Dataset, text: str, start: int, end: int, q: Quantity, lead: int | None = None
) -> str:
    """``lead``: where the list the value belongs to starts ("at 3, 6 and 12 months")."""
    head = start if lead is None else min(lead, start)
    after, before = text[end : end + 60], text[max(0, head - 40) : head]
    unit, dim = q.unit, dimension(q.unit)
    choice: str
    if dim == "percent":
        choice = "responder-rate" if _is_share(q, before, after) else "effect"
    elif dim == "time":
        # "under 70 years old", "between 25 and 70 years old": who may be treated
        if (q.qualifier != "exact" or q.low != q.high) and (
            re.match(r"(?i)\s*(?:-\s*)?old\b", after) or _AGE_BEFORE.search(before)
        ):
            choice = "threshold"
        elif (
            re.match(r"(?i)(?:week|day|month|year)s?\s", q.text)
            or _AT_BEFORE.search(before)
            # "for 48 hours after the injection" is how long, not when
            or (
                re.match(r"(?i)\s*(?:after|later|post)\b", after) and not _FOR_BEFORE.search(before)
            )
        ):
            choice = "time-point"
        else:
            choice = "duration"
    elif dim in ("money", "eur", "gbp"):
        choice = "cost"
    elif dim in ("cells", "cells-per-kg"):
        choice = "dose"
    elif dim == "times":
        choice = "ratio" if _RELATIVE_AFTER.match(after) or "fold" in q.text.lower() else "count"
    elif dim == "points":
        change = (
            _CHANGE_BEFORE.search(before)
            or _CHANGED_BY.search(text, max(0, head - 60), head)
            or (
                _CHANGE_NOUN.search(text, max(0, head - 60), head) and not _TO_BEFORE.search(before)
            )
        )
        choice = "effect" if change else "score"
    elif dim == "length":
        bounded = q.qualifier != "exact" or _BOUND_BEFORE.search(before)
        choice = "threshold" if bounded else "size"  # "defects larger than 2 cm"
    elif dim == "number" and _SCALE.search(text, max(0, start - 60), start):
        choice = "score"
    else:
        choice = "count"
    bound = q.qualifier in ("at-least", "at-most") or re.search(
        r"(?i)\b(?:at\s+(?:least|most)(?:\s+an?)?|more\s+than\s+an?)\s*$", before
    )
    if unit == "percent" and bound:
        if re.match(r"(?i)\s*(?:joint space|of (?:the )?(?:joint|damage))", after) or (
            re.search(r"(?i)\bjoint space (?:narrowing|loss|width)\s+(?:of\s+)?$", before)
        ):
            choice = "threshold"  # "joint space narrowing of less than 25%"
        elif _CRITERION_AFTER.match(text, end) and _ACHIEVED_BEFORE.search(before):
            choice = "threshold"  # "58% reported at least a 50% reduction in pain"
    return _valid_measure(ds, choice, q)


# a bound on a size: "defects larger than 2 cm", "tears under 3 cm"
_BOUND_BEFORE = re.compile(
    r"\b(?:(?:larger|greater|bigger|smaller|wider|deeper|longer|shorter|more|less)\s+than"
    r"|over|under|above|below|at\s+least|at\s+most|up\s+to)\s*$",
    re.I,
)
# a responder criterion: "at least a 50% reduction in pain", "more than 30% improvement"
_CRITERION_AFTER = re.compile(
    r"\s*(?:reduction|improvement|decrease|drop|gain|increase|relief|less|lower|better)\b", re.I
)
_ACHIEVED_BEFORE = re.compile(
    r"\b(?:reported|report|achieved|achieve|had|reached|showed|experienced|with|gained|saw)"
    r"\s+(?:at\s+(?:least|most)(?:\s+an?)?|more\s+than\s+an?|an?)?\s*$",
    re.I,
)


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
    r"\b(?:stud(?:y|ies)|trials?|meta-analys[ie]s|research\w*|published|journal|case series"
    r"|evidence|literature|registry"
    # a review of studies, not "your first review with the doctor"
    r"|(?:systematic|literature|scientific|published|Cochrane|recent|\d{4})\s+reviews?"
    r"|reviews?\s+(?:of|that|found|pooled|published|concluded|showed))\b",
    re.I,
)
_CASE = re.compile(
    r"\b(?:\d{1,3}-years?-old"
    r"|(?<!patients )(?<!people )(?<!adults )aged \d{1,3}(?!\s*(?:-|to|and)\s*\d)"
    r"|a (?:similar )?patient (?:with|who|receiving|doing|treated)"
    r"|(?:our|one|a) case\b|case (?:study|report|of a)|actual cases|both patients"
    # a patient's own words: "Eight weeks after my injection I was hiking again"
    # "my fatigue", "my acne scars": anything of the speaker's own, but not what a reader is
    # asked to book ("Book my consultation")
    r"|(?<!book )(?<!reserve )(?<!schedule )(?<!claim )(?<!get )(?<!secure )my\s+"
    r"(?!(?:free|first)?\s*(?:consultation|appointment|spot|place|seat|call|quote)s?\b)[a-z]"
    r"|I (?:was|had|have|am|can|could|feel|felt|walk|walked|played|paid)\b"
    # a person introduced by name and age: "Margaret Doyle, 71, a retired nurse"
    r"|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?,\s+\d{2},\s)",
    re.I,
)
_OWN_STUDY = re.compile(
    r"\bour\s+(?:[\w–-]+\s+){0,2}?(?:registry|database|case\s+series|audit)\b", re.I
)
_CLINIC_DATA = re.compile(
    r"\b(?:data|our\s+(?:[\w-]+\s+){0,2}?(?:patients|results|clinics?|surveys?"
    r"|experience|records|audit|data|follow-?ups?|outcomes|figures|statistics|centers?"
    r"|centres?|cases|reviews?|programs?|programmes?|practice|team|success)"
    r"|results of \d[\d,]*|surveys? of \d[\d,]*"
    # a clinic's advertising relayed: "its advertisements said that 87% ..."
    r"|advertis\w*\s+(?:said|say|says|claimed|claims|stated|promised)|advertised"
    r"|we(?:'ve|\s+have)?\s+(?:treated|saw|see|found|followed|helped|performed|completed)"
    # the clinic by name as the subject: "Vita Nova has treated 3,000 patients"
    r"|(?-i:[A-Z][\w-]+)\s+(?:has|have)\s+(?:treated|helped|performed|completed)"
    # "Over 2,400 patients have trusted us": the clinic counting its own patients
    r"|(?:trusted|chosen|chose|choose|visited)\s+(?:us|(?-i:[A-Z][a-z]+))"
    # "the clinic says", "the clinic's website says", "a clinic in Phoenix advertises that
    # 92% of its patients" (a clinic advertising a dose gives no figure of its patients)
    r"|(?:clinics?|centres?|centers?)(?:['’]s)?\s+(?:[\w-]+\s+){0,3}?(?:quote|quotes|report"
    r"|reports|reported|claim|claims|says?|said|states?|stated)"
    r"|(?:clinics?|centres?|centers?)\b[^.;|]{0,60}\bits\s+(?:own\s+)?(?:patients|results|data)"
    r"|according to (?:the|our) [\w\s-]{0,30}?(?:clinics?|centres?|centers?))\b",
    re.I,
)
_COMPARATOR = re.compile(
    r"[^.;|]{0,60}?\b(?:than|compared\s+(?:to|with)|versus|vs\.?|relative to)\s+"
    r"(?:for\s+|with\s+|those\s+(?:receiving|who\s+had|undergoing|treated\s+with)\s+)?"
    r"(?P<c>[A-Za-z][\w+/-]*(?:\s+[A-Za-z][\w+/-]*){0,3}?)"
    r"(?=\s*(?:[,.;:)(|]|$|\b(?:at|in|with|after|for|on|alone|over|by|and)\b))",
    re.I,
)
_N_OF = re.compile(
    r"\b(\d{1,6})\s+(?:out\s+of|of(?:\s+(?:the|our|these|those|all))?)\s+(\d{1,6})\b"
)
# a share of several patients: whatever the paragraph calls it, not one patient's story
_MANY = re.compile(
    r"%\s+of\s+(?:(?:the|our|all|these|those)\s+)?(?:[\w-]+\s+){0,2}?(?:patients|people"
    r"|participants|subjects|cases)\b"
    # not "One of those patients, Marjorie Ellison, ...": one of them
    r"|\b(?:\d+|[a-z]+)\s+(?:out\s+of|of|in)\s+(?:(?:the|our)\s+)?"
    r"(?!(?:those|these|them|its|their|his|her)\b)(?:\d+|[a-z]+)\s+"
    r"(?:patients|people|participants|subjects|cases)\b"
    r"|\b(?:half|a third|two thirds|a quarter|three quarters)\s+of\s+",
    re.I,
)
_AUTHOR = r"[A-Z][\w'’-]+"
# a named study: "(Smith et al., 2019)", "(Lee and Park 2020)", "Smith et al. (2019)"
_CITATION = re.compile(
    rf"\(\s*(?P<a>{_AUTHOR}(?:\s+(?:et\s+al\.?|(?:and|&)\s+{_AUTHOR}))?,?\s+"
    r"(?:19|20)\d{2}[a-z]?)\s*[;)]"
    rf"|(?P<b>{_AUTHOR}\s+(?:et\s+al\.?|(?:and|&)\s+{_AUTHOR})\s*\((?:19|20)\d{{2}}[a-z]?\))"
)


def _citation(text: str) -> str | None:
    """The study a sentence names, as written ("Smith et al., 2019")."""
    m = _CITATION.search(text)
    if m is None:
        return None
    return " ".join((m.group("a") or m.group("b")).split())


def _guess_basis(text: str, case_story: bool) -> str:
    """The basis of a sentence's numbers; ``case_story``: the paragraph tells a case."""
    if _CITATION.search(text):
        return "cited-study"
    if (case_story or _CASE.search(text)) and not _MANY.search(text):
        return "case-report"
    if _OWN_STUDY.search(text):
        return "clinic-data"  # "in our 2022-2025 registry": the clinic's own patients
    if _STUDY.search(text):
        return "cited-study"
    if _CLINIC_DATA.search(text):
        return "clinic-data"
    return "none"


# ---------------------------------------------------------------------------
# the treatment a number is about, when it is not stem cells

# (pattern, the intervention's name); stem cells themselves name no intervention
_TREATMENTS: tuple[tuple[str, str | None], ...] = (
    (r"stem[\s-]*cells?|MSCs?|cell[\s-]+therap\w*|cells|bone marrow concentrate|BMAC", None),
    (
        r"(?:total\s+|partial\s+)?knee\s+replacements?(?:\s+surgery)?|TKR|TKA|new\s+knees?",
        "knee replacement",
    ),
    (
        r"prosthe\w*|implants?|(?:total\s+)?joint\s+replacements?|arthroplast\w*",
        "joint replacement",
    ),
    (r"hip\s+replacements?", "hip replacement"),
    (r"(?:spinal\s+)?fusion(?:\s+surgery)?|(?:micro)?discectomy|laminectomy", "spinal fusion"),
    (r"surgery|surgical\s+repair|operations?|arthroscop\w*", "surgery"),
    (
        r"(?:cortisone|(?:cortico)?steroids?)(?:\s+(?:injections?|shots?|jabs?))?",
        "steroid injection",
    ),
    (r"hyaluronic\s+acid(?:\s+injections?)?|viscosupplement\w*", "hyaluronic acid"),
    (r"physiotherapy|physical\s+therapy", "physiotherapy"),
    (r"(?:saline\s+)?placebo|saline(?:\s+injections?)?|sham\s+\w+", "placebo"),
    (r"painkillers?|medications?|NSAIDs?|pain\s+pills?", "medication"),
)


@functools.cache
def _treatment_pattern() -> re.Pattern[str]:
    return re.compile(
        "|".join(f"(?P<t{i}>(?<![\\w-])(?:{p})(?![\\w-]))" for i, (p, _) in enumerate(_TREATMENTS)),
        re.I,
    )


# a treatment named as what the number is not about: "better than steroids", "avoid surgery"
_NOT_SUBJECT_BEFORE = re.compile(
    r"\b(?:than|compared\s+(?:to|with)|versus|vs\.?|unlike|instead\s+of|rather\s+than|avoid\w*"
    r"|without|delay\w*|postpone\w*|over)\s+(?:a\s+|the\s+|an\s+)?$",
    re.I,
)
_RELATIVE = re.compile(r"\b(?:that|which)\b|\b(?:costs?|lasts?)\b", re.I)
# "32% after hyaluronic acid injections", "55% of those given a saline placebo"
_AFTER_VALUE = re.compile(
    r"\s*(?:(?:of\s+(?:patients|those)\s+)?(?:given|receiving|treated\s+with|who\s+had)"
    r"|after|with|following|in\s+the)\s+(?:an?\s+|the\s+)?$",
    re.I,
)
_CLAUSE = re.compile(
    r"[;|]|,\s+and\b|\bbut\b|\bwhile\b|\bwhereas\b|\bhowever\b|\bcompared\s+(?:to|with)\b", re.I
)


def _intervention(text: str, start: int, end: int, condition: str) -> str | None:
    """The treatment the number at ``text[start:end]`` is about, when it is not stem cells:
    a treatment named just after it ("32% after hyaluronic acid injections"), else the one
    named last before it in its clause ("A knee replacement lasts 10-15 years")."""
    mentions = [
        (m.start(), m.end(), _TREATMENTS[int(str(m.lastgroup)[1:])][1])
        for m in _treatment_pattern().finditer(text)
    ]
    for a, _, name in mentions:
        if a >= end and _AFTER_VALUE.fullmatch(text, end, a) and a - end <= 40:
            return _named(name, condition)
        if a >= end:
            break
    for a, b, name in reversed([m for m in mentions if m[1] <= start]):
        between = text[b:start]
        if _CLAUSE.search(between):
            return None
        if _NOT_SUBJECT_BEFORE.search(text, max(0, a - 20), a) and not _RELATIVE.search(between):
            continue
        return _named(name, condition)
    return None


def _named(name: str | None, condition: str) -> str | None:
    if name == "joint replacement" and condition == "knee-oa":
        return "knee replacement"
    return name


# ---------------------------------------------------------------------------
# body parts and the conditions of a page

# the condition that takes in another: a rotator cuff tear is a tendon injury, and a knee,
# back or tendon condition an orthopedic one (statements about several of them are about
# the broader one: "Hip and Knee Pain", "Tendon and Rotator Cuff Injuries")
_BROADER = {
    "rotator-cuff": "tendon-injury",
    "tendon-injury": "musculoskeletal",
    "knee-oa": "musculoskeletal",
    "knee-injury": "musculoskeletal",
    "lumbar-disc": "musculoskeletal",
    "rheumatoid-arthritis": "autoimmune",
}


def _ancestors(cid: str) -> list[str]:
    out = [cid]
    while out[-1] in _BROADER and len(out) < 8:
        out.append(_BROADER[out[-1]])
    return out


def _common(ds: Dataset, ids: Iterable[str]) -> str | None:
    """The narrowest condition of ``ds`` that takes in all of ``ids`` (None: there is none)."""
    chains = [_ancestors(cid) for cid in dict.fromkeys(ids)]
    if not chains:
        return None
    for cid in chains[0]:
        if cid in ds.conditions and all(cid in chain for chain in chains[1:]):
            return cid
    return None


# a body part alone ("412 knee patients", "per knee", "most knees", "hip patients"); not
# where cells are taken from ("bone marrow drawn from the back of your hip bone")
_PART = re.compile(
    r"(?<![\w-])(?P<p>knee|hip|shoulder|tendon|elbow|ankle|wrist)s?(?![\w-])"
    r"(?!\s+(?:bone|crest|replacement))",
    re.I,
)
_PART_CHROME = re.compile(
    r"\b(?:from|of)\s+(?:the\s+|your\s+)?(?:back\s+of\s+(?:the\s+|your\s+)?)?$", re.I
)
_JOINTS = "musculoskeletal"  # a joint the vocabulary has no condition for (the hip)


def _part_candidates(ds: Dataset, part: str) -> list[str]:
    """The conditions whose names speak of ``part`` ("knee": knee-oa, knee-injury)."""
    word = re.compile(rf"(?<![\w-]){re.escape(part)}s?(?![\w-])", re.I)
    return [
        c.id
        for c in ds.conditions.values()
        if c.id not in (_JOINTS, "general") and any(word.search(n) for n in (c.name, *c.aliases))
    ]


def _part_hits(
    ds: Dataset, text: str, page_counts: dict[str, int], about: str | None = None
) -> list[_Hit]:
    """Body parts named without a condition, each read as the condition of that part the
    page speaks of most ("per knee" on a knee osteoarthritis page is knee-oa), a part the
    vocabulary has no condition for (or several parts) as orthopedic. ``about``: what the
    section or page is about, when it is of that part ("the damaged tendon" on a rotator
    cuff page is the rotator cuff's). Parts in brackets after a part are its examples
    ("Tendon injection (elbow, Achilles or knee)")."""
    hits: list[_Hit] = []
    for m in _PART.finditer(text):
        if _PART_CHROME.search(text, max(0, m.start() - 30), m.start()):
            continue
        if hits and text.rfind("(", hits[-1][2], m.start()) > text.rfind(")", 0, m.start()):
            continue
        part = m.group("p").lower()
        candidates = _part_candidates(ds, part)
        named = [c for c in candidates if page_counts.get(c, 0) > 0]
        if about is not None and any(c in _ancestors(about) for c in candidates):
            cid = about
        elif len(candidates) == 1:
            cid = candidates[0]
        elif named:
            cid = max(named, key=lambda c: (page_counts[c], c))
        elif _JOINTS in ds.conditions:
            cid = _JOINTS
        else:
            continue
        hits.append((cid, m.start(), m.end()))
    ids = {h[0] for h in hits}
    if len(ids) > 1:
        broad = _common(ds, ids)
        if broad is not None:
            hits = [(broad, a, b) for _, a, b in hits]
    return hits


# a statement about all of a page's treatments: "Overall, 94% of our patients", "Like any
# injection", "Every patient leaves with ..."
_UMBRELLA = re.compile(
    r"\b(?:overall|in\s+total|altogether|across\s+all|all\s+(?:of\s+)?our\s+patients"
    r"|(?:any|every)\s+(?:patient|injection|treatment|procedure|infusion))\b",
    re.I,
)


# the symptoms only one condition of the vocabulary has: a patient's "numbness in my feet"
# on a page about neuropathy is about it
_SYMPTOMS = (
    (
        "neuropathy",
        re.compile(
            r"\b(?:numb(?:ness)?|tingl\w*|pins\s+and\s+needles|burning\s+(?:pain|feet|hands)"
            r"|(?:vibration|nerve)\s+sense)\b",
            re.I,
        ),
    ),
)


def _symptom_hits(text: str, page_counts: dict[str, int]) -> list[_Hit]:
    """Symptoms of one condition the page names ("the numbness in my feet eased")."""
    return [
        (cid, m.start(), m.end())
        for cid, pattern in _SYMPTOMS
        if page_counts.get(cid, 0) > 0
        for m in pattern.finditer(text)
    ]
