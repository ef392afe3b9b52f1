"""extract: draft claims from a plain-text page, one per quantitative statement.

The text is cut into sentences and table rows (:mod:`stemcli.text.segments`); every quantity
the dataset's grammar reads (:func:`stemcli.quantities.scan`) becomes a draft claim quoting
its sentence, unless it is not a claim at all (years, phone numbers, list numbering,
citation years, ages, K&L grades, URLs and DOIs) or it is the timepoint of another number
in the sentence ("pain decreased 70% over 6 weeks" is one draft: 70%, timepoint 6 weeks).

Everything but the value and the quote is a *guess* for a person to confirm: condition and
stage (names and aliases from the dataset, K&L grades, then fuzzy matching; else the
section's heading or what the page is about), outcome, measure, timepoint, comparator, n,
basis, the named citation and the intervention (the treatment a number is about when it is
not stem cells: "A knee replacement lasts 10-15 years"). Each draft lists which of its
fields are guesses.

Modules: :mod:`.values` (the numbers that may be claims, and their timepoints),
:mod:`.guesses` (condition, stage, outcome, measure, basis), :mod:`.quote` (a draft's
quote); this one walks the text and makes the drafts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from stemcli.errors import InputError, Location, UsageError
from stemcli.ids import is_slug, slugify
from stemcli.model import Claim, Condition, Dataset, Quantity
from stemcli.ops.extract.guesses import (
    _CASE,
    _COMPARATOR,
    _MANY,
    _N_OF,
    _UMBRELLA,
    _citation,
    _common,
    _condition_hits,
    _condition_matcher,
    _ConditionMatcher,
    _fuzzy_hits,
    _guess_basis,
    _guess_measure,
    _guess_outcome,
    _Hit,
    _intervention,
    _Keyword,
    _keywords,
    _part_hits,
    _ranked,
    _stages_in,
    _symptom_hits,
    _topic_hits,
    _valid_measure,
)
from stemcli.ops.extract.quote import MAX_QUOTE, quote_window
from stemcli.ops.extract.values import _Item, _masked, _quantities
from stemcli.quantities import Found, QuantityError, dimension, parse, scan
from stemcli.text.segments import LineIndex, Segment, segments

__all__ = [
    "ALWAYS_GUESSED",
    "MAX_DRAFTS",
    "MAX_QUOTE",
    "Draft",
    "Extraction",
    "check_source_id",
    "default_source_id",
    "extract",
]

# fields every draft guesses (timepoint, comparator and n are guesses only when set)
ALWAYS_GUESSED = ("condition", "stages", "outcome", "measure", "basis")


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
    # the treatment the number is about when it is not stem cells ("knee replacement")
    intervention: str | None = None
    citation: str | None = None  # the study the sentence names ("Smith et al., 2019")

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
            intervention=self.intervention,
            n=self.n,
            citation=self.citation,
        )


@dataclass(frozen=True, slots=True)
class Extraction:
    source_id: str
    path: str
    drafts: tuple[Draft, ...]
    segments: int = 0  # sentences and table rows read


def default_source_id(stem: str) -> str:
    """A source id made from a file name: lowercase, words joined by '-'."""
    return slugify(stem, empty="new-source")


def check_source_id(source_id: str) -> str:
    """``source_id`` itself when it is a slug (:func:`stemcli.ids.is_slug`)."""
    if not is_slug(source_id):
        raise UsageError(
            f"source id {source_id!r} is not a slug",
            hint="use lowercase letters, digits and '-', e.g. my-clinic",
        )
    return source_id


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
    basis: str | None = None  # a study named earlier in the paragraph


@dataclass
class _Page:
    """What every draft of one text shares."""

    ds: Dataset
    matcher: _ConditionMatcher
    lines: LineIndex
    doc_condition: str | None
    heading_condition: str | None = None
    # the stages the current section's heading names ("Stage 1: early osteoarthritis"),
    # for the condition it is about
    heading_stages: tuple[str, tuple[str, ...]] | None = None
    # how often the page names each condition (which condition a bare "knee" is)
    counts: dict[str, int] = field(default_factory=dict)
    # the page speaks of conditions no one condition takes in (knees and nerves)
    several: bool = False


@dataclass
class _Sentence:
    """A segment and what its drafts share, worked out once."""

    seg: Segment
    named: list[_Hit]  # specific conditions named in it, in order
    keywords: list[_Keyword]
    basis: str
    n: int | None
    citation: str | None = None
    stages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # what it is about when it names no condition: "page" (a statement about all of the
    # page's treatments), "general" (a chain's clinics), else None (its paragraph's)
    about: str | None = None

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
    counts = _page_counts(matcher, text)
    page = _Page(
        ds, matcher, LineIndex(text), _document_condition(ds, matcher, text, counts), counts=counts
    )
    page.several = len(counts) > 1 and _common(ds, counts) is None
    used_ids = {c.id for c in ds.claims}
    drafts: list[Draft] = []
    ctx = _Context()
    counter = 0
    n_segments = 0
    segs = list(segments(text))
    table: _Table | None = None
    caption = ""  # the last heading: what a table under it is about
    section_condition: str | None = None  # the last condition the section's text named
    section_basis: str | None = None  # the basis of the section's last figures
    block_basis: str | None = None  # the clinic's own figures, until a blank line or heading
    for i, seg in enumerate(segs):
        n_segments += 1
        if seg.heading or i == 0 or _BLANK_LINE.search(text, segs[i - 1].end, seg.start):
            block_basis = None
        if seg.paragraph != ctx.paragraph:
            ctx = _Context(paragraph=seg.paragraph)
        # a question states nothing ("How many times can I receive them?")
        asks = seg.text.rstrip("\"”’') ").endswith("?")
        items = [] if asks else _quantities(seg, masked)
        header_row = False
        if seg.kind != "row":
            table = None
        elif table is None and i + 1 < len(segs) and segs[i + 1].kind == "row":
            if _is_header(seg, items):
                # the first row of a run is the table's header: its numbers are no claims
                table = _Table(_cells(seg), caption, section_condition, section_basis)
                items = []
                header_row = True
            else:  # a table of facts ("Success rate | 85%") has no header
                table = _Table((), caption, section_condition, section_basis)
        elif table is not None:
            items = _row_timed(seg, _column_counts(table, seg, items))
        named = [h for h in _condition_hits(matcher, seg.text) if h[0] != matcher.general]
        if items and not named:
            named = _fuzzy_hits(matcher, seg.text)
        named.sort(key=lambda h: (h[1], h[2]))
        named = _specific(page, seg, named)
        if header_row and named and table is not None:
            table = replace(table, condition=named[0][0])  # the header names it
        said_of: str | None = None
        if not named:
            # a body part alone ("per knee", "hip patients") is the page's condition of it
            about = page.heading_condition or page.doc_condition
            named = _part_hits(ds, seg.text, page.counts, about)
            if not named:
                named = _symptom_hits(seg.text, page.counts)
            parts = bool(named)
            if not named and table is not None and table.condition is not None:
                named = [(table.condition, 0, 0)]  # a table is about the text before it
            elif not named and _UMBRELLA.search(seg.text):
                said_of = "page"
            elif not named and _CHAIN.search(seg.text) and page.several:
                said_of = "general"
        else:
            parts = False
        if seg.heading:
            section_condition = section_basis = None
            caption = seg.text
            follows_heading = i > 0 and segs[i - 1].heading and segs[i - 1].kind == "sentence"
            if named or not follows_heading:
                # a sub-heading naming no condition ("Vida Cell Institute, Panama City")
                # stays in the section of the heading above it
                page.heading_condition = named[0][0] if named else None
            about = page.heading_condition or page.doc_condition
            cond = ds.conditions.get(about) if about else None
            found = _stages_in(cond, seg.text) if cond else ()
            page.heading_stages = (cond.id, found) if cond and found else None
        # a question tells no story ("Will it work for my symptoms?" is any reader's)
        ctx.case_story = ctx.case_story or (
            not asks and _CASE.search(seg.text) is not None and _MANY.search(seg.text) is None
        )
        if items:
            if len(drafts) + len(items) > MAX_DRAFTS:
                raise InputError(
                    f"more than {MAX_DRAFTS:,} numbers; extract reads one page at a time",
                    location=Location(path or "the text"),
                )
            sentence = _Sentence(
                seg,
                named,
                _keywords(ds, seg.text),
                _guess_basis(seg.text, ctx.case_story),
                _cohort(items, seg.text),
                _citation(seg.text),
                about=said_of,
            )
            made: list[Draft] = []
            for it in items:
                counter += 1
                draft_id = f"{source_id}-{counter:03d}"
                while draft_id in used_ids:
                    counter += 1
                    draft_id = f"{source_id}-{counter:03d}"
                used_ids.add(draft_id)
                d = _draft(page, sentence, it, draft_id, ctx)
                if (
                    d.basis == "none"
                    and block_basis is not None
                    and dimension(d.value.unit) in _RESULT_DIMENSIONS
                ):
                    d = replace(d, basis=block_basis)
                if table is not None:
                    d = _in_table(page, table, seg, it, d)
                made.append(d)
            drafts.extend(_parallel(made, text))
            if seg.kind != "row":
                section_basis = sentence.basis if sentence.basis != "none" else section_basis
            if sentence.n is not None:
                ctx.n = sentence.n
            if sentence.basis in _CARRIED_BASES:
                ctx.basis = sentence.basis
            if sentence.basis == "clinic-data" and _CLINIC_SOURCE.search(seg.text):
                block_basis = "clinic-data"
        if named and not seg.heading:
            section_condition = named[0][0]
        if named and not parts:
            ctx.condition = named[0][0]
            cond = ds.conditions.get(ctx.condition)
            ctx.stages = _stages_in(cond, seg.text) if cond else ()
    return Extraction(source_id, path, tuple(drafts), n_segments)


_DOMINANT = 0.6  # share of condition mentions that makes a page "about" one condition
_DOMINANT_SCAN = 200_000  # characters read to decide it


_DOMINANT_MIN = 2  # one passing mention does not make a page about a condition
_OPENING_HEADINGS = 3  # the headings before the first paragraph read as the page's title


def _page_counts(matcher: _ConditionMatcher, text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for cid, _, _ in _topic_hits(matcher, text[:_DOMINANT_SCAN]):
        if cid != matcher.general:
            counts[cid] = counts.get(cid, 0) + 1
    return counts


# a chain's or a group's clinics, told of by someone else: "The clinics charged ..."
_CHAIN = re.compile(r"\bthe\s+(?:chain|clinics)\b|\bits\s+clinics\b", re.I)


def _document_condition(
    ds: Dataset, matcher: _ConditionMatcher, text: str, page_counts: dict[str, int]
) -> str | None:
    """What the page is about (the guess for numbers with no condition near): the one
    condition its title (the headings it opens with) names, or the one that takes in all
    the conditions or joints it names; else the condition it names
    most often, when that is most of all mentions and either more than one or in the
    opening paragraph. Conditions named as items of a list count for none."""
    opening = 0  # where the opening paragraph ends
    for headings, seg in enumerate(segments(text[:_DOMINANT_SCAN]), start=1):
        if not seg.heading:
            line_end = text.find("\n", seg.start)
            opening = len(text) if line_end < 0 else line_end
            break
        hits = [h for h in _topic_hits(matcher, seg.text) if h[0] != matcher.general]
        broad = _common(ds, (h[0] for h in hits)) if len({h[0] for h in hits}) > 1 else None
        if broad is not None:
            return broad  # "Tendon and Rotator Cuff Injuries": what takes in all of them
        ids = {cid for cid, a, b in hits if not _listed(seg.text, a, b)}
        if not ids:  # "Hip and Knee Pain Without Surgery"
            ids = {cid for cid, _, _ in _part_hits(ds, seg.text, page_counts)}
        if len(ids) == 1:
            return ids.pop()  # the title names one condition (or joints: "Hip and Knee")
        if ids or headings >= _OPENING_HEADINGS:
            break
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    head = text[:_DOMINANT_SCAN]
    for cid, start, end in _topic_hits(matcher, head):
        # a condition in a list ("we treat MS, autism, knee osteoarthritis and ...") is one
        # of many, not what the page is about
        if cid != matcher.general and not _listed(head, start, end):
            counts[cid] = counts.get(cid, 0) + 1
            first.setdefault(cid, start)
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=None)
    if best is None or best[1] < _DOMINANT * sum(counts.values()):
        return matcher.general
    if best[1] < _DOMINANT_MIN and first[best[0]] >= opening:
        return matcher.general  # one passing mention, not the opening paragraph's subject
    return best[0]


_LIST_BEFORE = re.compile(r"(?:,|\band|\bor)\s*$", re.I)
# the first item of a list: another item and a separator follow ("A, B and C", "A or B")
_LIST_AFTER = re.compile(r"\s+(?:and|or)\s|\s*,\s*[\w'’ -]{1,30}?(?:,|\s(?:and|or)\s)", re.I)


def _listed(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is an item of a list ("A, B and C")."""
    return bool(_LIST_BEFORE.search(text, max(0, start - 6), start) or _LIST_AFTER.match(text, end))


def _specific(page: _Page, seg: Segment, named: list[_Hit]) -> list[_Hit]:
    """The conditions a sentence is about: a group's name ("joint pain", "autoimmune
    disease") gives way to a specific condition named beside it; under a heading naming a
    group, conditions listed as its examples ("For multiple sclerosis, lupus and
    rheumatoid arthritis, we give ...") stand for the group."""
    if not named:
        return named
    groups = page.matcher.groups
    specific = [h for h in named if h[0] not in groups]
    heading = page.heading_condition
    if (
        specific
        and not seg.heading
        and heading in groups
        and all(_listed(seg.text, a, b) for _, a, b in specific)
    ):
        a, b = specific[0][1], specific[0][2]
        return [(heading, a, b)]
    return specific or named


_CARRIED_BASES = ("cited-study",)  # a study is told over the sentences of a paragraph
# a clinic's review of its own patients is told, like a study, over the lines of a block
# ("In our latest outcome review, 87% ...\nAverage pain scores fell from 7.4 to 2.9"); a
# clinic's claim without one is its own ("In our clinic, 88% ... 8 in 10 patients improve")
_CLINIC_SOURCE = re.compile(
    r"\bour\s+(?:[\w-]+\s+){0,2}?(?:reviews?|audits?|surveys?|records|data|statistics"
    r"|follow-?ups?|registry|database)\b",
    re.I,
)
_RESULT_DIMENSIONS = ("percent", "points", "number", "times")
_PRICE_DIMENSIONS = ("money", "eur", "gbp")
_HISTORY_OF = re.compile(r"\s+of\s+(?:(?:chronic|severe|constant|daily)\s+)?", re.I)
_RELIEF_FOR = re.compile(
    r"\b(?:eased|improved|helped|worked|subsided|disappeared|went\s+away|was\s+relieved"
    r"|felt\s+better|was\s+better)\s+for\s*$",
    re.I,
)
_STILL = re.compile(
    r"\bstill\s+(?:have|has|had|feel|felt|report|reported|enjoy|are|were|is)\b[^.;|,]*$", re.I
)
# a verb of a result showing, in the value's clause
_WHEN_SEEN = re.compile(
    r"\b(?:see|sees|saw|feel|feels|felt|notice|notices|noticed|appears?|appeared|begins?"
    r"|began|starts?|started|becomes?\s+(?:apparent|visible|noticeable)"
    # a symptom going: "the numbness in my feet eased within 2 months"
    r"|eased|faded|subsided|disappeared)\b[^.;|,]*(?:,[^.;|,]*)?$",
    re.I,
)
_TIME_TAKEN_OUTCOMES = frozenset(
    ["return-to-activity", "return-to-sport", "recovery-time", "side-effects"]
)
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_COMPARED = re.compile(r"\b(?:compared\s+(?:with|to)|versus|vs\.?|against)\s", re.I)


def _parallel(made: list[Draft], text: str) -> list[Draft]:
    """A number set against the one before it ("62 % ... at 6 months, compared with 55 %
    of those given a placebo") answers the same question: same outcome, measure and
    timepoint."""
    out: list[Draft] = []
    for d in made:
        if d.measure == "threshold" and d.timepoint is not None and out:
            # the share a responder criterion is of is timed with it: "58% reported at
            # least a 50% reduction in pain after six months"
            share = out[-1]
            if (
                share.value.unit == d.value.unit
                and share.measure == "responder-rate"
                and share.timepoint is None
            ):
                out[-1] = replace(
                    share, timepoint=d.timepoint, guessed=(*share.guessed, "timepoint")
                )
        # a criterion is no answer to compare with ("... compared with 33% of those given X")
        prev = next(
            (p for p in reversed(out) if p.value.unit == d.value.unit and p.measure != "threshold"),
            None,
        )
        if prev is not None and _COMPARED.search(text, prev.end, d.start):
            guessed = d.guessed
            timepoint = d.timepoint
            if timepoint is None and prev.timepoint is not None:
                timepoint = prev.timepoint
                guessed = (*guessed, "timepoint")
            d = replace(d, outcome=prev.outcome, measure=prev.measure, timepoint=timepoint)
            d = replace(d, guessed=guessed)
        out.append(d)
    return out


def _is_quantity(text: str) -> bool:
    try:
        parse(text)
    except QuantityError:
        return False
    return True


_N_EQUALS = re.compile(r"\(\s*n\s*=\s*(\d{1,6})\s*\)", re.I)


def _cohort(items: Iterable[_Item], text: str = "") -> int | None:
    """The sample size a sentence states: "(n = 480)", or a number of patients."""
    if (m := _N_EQUALS.search(text)) and int(m.group(1)) > 0:
        return int(m.group(1))
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


_PHRASE_CUT = re.compile(r"[,;:(]|\b(?:and|or|as\s+well\s+as)\b", re.I)


def _phrase_stages(
    cond: Condition | None, text: str, start: int, stages: tuple[str, ...]
) -> tuple[str, ...]:
    """The one stage named in the value's own phrase, of the several its sentence names:
    "partial tears and full-thickness tears of 3 cm or less" (not "early or middle stage
    knees: 80%", where the stages are listed together)."""
    if cond is None:
        return stages
    cuts = list(_PHRASE_CUT.finditer(text, 0, start))
    if not cuts:
        return stages
    cut = cuts[-1]
    before = re.findall(r"[\w-]+", text[max(0, cut.start() - 30) : cut.start()].lower())
    words = {w.lower() for st in cond.stages for w in (st.id, *st.aliases) if " " not in w}
    if before and before[-1] in words:
        return stages  # "early or middle stage": stages listed together
    own = _stages_in(cond, text[cut.end() : start])
    return own if len(own) == 1 and own[0] in stages else stages


def _draft(page: _Page, sentence: _Sentence, it: _Item, draft_id: str, ctx: _Context) -> Draft:
    ds, seg = page.ds, sentence.seg
    rel_start, rel_end = it.found.start - seg.start, it.found.end - seg.start
    quote_text = seg.text
    if sentence.named:
        condition = _nearest(sentence.named, rel_start)
        stages = sentence.stages_of(ds.conditions.get(condition))
    elif sentence.about is not None:
        about = page.doc_condition if sentence.about == "page" else page.matcher.general
        condition = about or page.matcher.general or next(iter(ds.conditions), "")
        stages = ()
    elif ctx.condition is not None:
        # the paragraph's condition; its stage, unless this sentence names one ("In the
        # middle stage, 70-80% of patients improve" after a sentence about the early stage)
        condition = ctx.condition
        stages = sentence.stages_of(ds.conditions.get(condition)) or ctx.stages
    else:
        condition = (
            page.heading_condition
            or page.doc_condition
            or page.matcher.general
            or next(iter(ds.conditions), "")
        )
        stages = sentence.stages_of(ds.conditions.get(condition))
    if not stages and page.heading_stages and page.heading_stages[0] == condition:
        stages = page.heading_stages[1]  # the section is about a stage
    if len(stages) > 1:
        stages = _phrase_stages(ds.conditions.get(condition), quote_text, rel_start, stages)
    q = it.quantity
    lead = None if it.lead is None else it.lead - seg.start
    measure = _guess_measure(ds, quote_text, rel_start, rel_end, q, lead)
    outcome = _guess_outcome(ds, sentence.keywords, rel_start, rel_end, q, measure, quote_text)
    if dimension(q.unit) == "time" and measure != "threshold":
        if _HISTORY_OF.match(quote_text, rel_end) and any(
            a >= rel_end and _HISTORY_OF.fullmatch(quote_text, rel_end, a)
            for _, a, _ in sentence.named
        ):
            # "After 14 years of sciatica": the patient's history, not a result's time
            outcome, measure = "patient-profile", _valid_measure(ds, "duration", q)
        elif _RELIEF_FOR.search(quote_text, max(0, rel_start - 60), rel_start):
            # "the pain eased for about four months and then came back"
            outcome = "benefit-duration" if "benefit-duration" in ds.outcomes else outcome
        elif "benefit-duration" in ds.outcomes and _STILL.search(
            quote_text, max(0, rel_start - 80), rel_start
        ):
            # "most knee patients still have less pain 2 years after treatment": how long
            # the benefit lasts
            outcome, measure = "benefit-duration", _valid_measure(ds, "duration", q)
    timed = re.match(r"(?i)(?:within|between)\s", q.text) or re.search(
        r"(?i)\bin\s*$", quote_text[max(0, rel_start - 4) : rel_start]
    )
    if (
        measure == "duration"
        and timed
        and outcome not in _TIME_TAKEN_OUTCOMES
        and _WHEN_SEEN.search(quote_text, max(0, rel_start - 80), rel_start)
    ):
        # when a result shows: "Most patients feel more energy within 2 weeks", "the full
        # benefit appears between 3 and 6 months" (a return or a recovery takes its time)
        measure = _valid_measure(ds, "time-point", q)
    basis = sentence.basis
    if basis == "none" and ctx.basis is not None and dimension(q.unit) in _RESULT_DIMENSIONS:
        # "In a trial of 300 patients ... After 12 months, pain scores had fallen by 30 %"
        basis = ctx.basis
    if basis == "clinic-data" and dimension(q.unit) in _PRICE_DIMENSIONS:
        # a price is stated, not found among patients: "our partner clinics charge US$4,500"
        basis = "none"
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
        if cm and not _is_quantity(cm.group("c")):  # "more than a year" compares nothing
            comparator = " ".join(cm.group("c").lower().split())
            guessed.append("comparator")
    if sentence.citation is not None:
        guessed.append("citation")
    intervention = _intervention(quote_text, rel_start, rel_end, condition)
    if intervention is not None:
        guessed.append("intervention")
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
        citation=sentence.citation,
        intervention=intervention,
    )


# ---------------------------------------------------------------------------
# tables: a cell reads with its column's header and its row's first cell


@dataclass(frozen=True, slots=True)
class _Table:
    header: tuple[tuple[int, int, str], ...]  # the header row's cells
    caption: str  # the heading above the table ("Outcomes by stage in our own patients")
    condition: str | None = None  # what the text before it, in its section, was about
    basis: str | None = None  # whose figures the text before it gave ("In our 2024 audit")


def _cells(seg: Segment) -> tuple[tuple[int, int, str], ...]:
    """The cells of a table row: start and end in the text, and the cell's text stripped.
    The empty cells outside the bars of "| a | b |" are no cells."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for part in seg.text.split("|"):
        out.append((seg.start + pos, seg.start + pos + len(part), part.strip()))
        pos += len(part) + 1
    if out and not out[0][2] and seg.text.lstrip().startswith("|"):
        out.pop(0)
    if out and not out[-1][2] and seg.text.rstrip().endswith("|"):
        out.pop()
    return tuple(out)


def _is_header(seg: Segment, items: Sequence[_Item]) -> bool:
    """Whether the first row of a table is its header: it states no number but the times
    of its columns ("Improved at 12 months", "3 months | 12 months"); a row of facts
    ("Success rate | 85%", "Recovery | 2 weeks") is none."""
    if any(dimension(it.quantity.unit) != "time" for it in items):
        return False
    cells = _cells(seg)
    if len(cells) != 2:
        return True
    value = cells[1][2]
    return not any(f.start == 0 and f.end == len(value) for f in scan(value))


def _column(cells: Sequence[tuple[int, int, str]], pos: int) -> int | None:
    return next((k for k, (a, b, _) in enumerate(cells) if a <= pos < b), None)


# a column of people counted: "Patients treated", "Number of patients", "n"
_PEOPLE_HEADER = re.compile(
    r"(?i)\b(?:patients|participants|people|subjects|cases|knees|n)\b(?!\s*%)"
)
_COUNT_CELL = re.compile(r"\d{1,3}(?:,\d{3})+|\d{1,6}")
# a column or row of shares of patients: "Improved at 12 months", "Response rate",
# "Patients satisfied", "Back to sport"
_SHARE_HEADER = re.compile(
    r"(?i)(?:^|\b(?:patients|people|participants|knees)\s+)(?:%\s*)?(?:improved|responded"
    r"|responders?|better|pain-free|satisfied|successful|recovered|returned|back\s+to"
    r"|return(?:ed)?\s+to)\b"
    r"|\b(?:rates?|responders?|share|proportion)\b|%\s*of\s+(?:patients|people|participants)"
)


def _column_counts(table: _Table, seg: Segment, items: list[_Item]) -> list[_Item]:
    """``items``, and the bare numbers of a column of people counted ("Patients treated |
    612"), which alone read as no claim."""
    cells = _cells(seg)
    taken = {_column(cells, it.found.start) for it in items}
    out = list(items)
    for k, (a, b, cell) in enumerate(cells):
        if k in taken or k >= len(table.header) or not _COUNT_CELL.fullmatch(cell):
            continue
        if not _PEOPLE_HEADER.search(table.header[k][2]):
            continue
        q = parse(f"{cell} patients")
        start = a + seg.text[a - seg.start : b - seg.start].index(cell)
        out.append(_Item(Found(start, start + len(cell), q), q.text, q))
    out.sort(key=lambda it: it.found.start)
    return out


def _time_of(text: str) -> Quantity | None:
    return next((f.quantity for f in scan(text) if dimension(f.quantity.unit) == "time"), None)


def _row_time(cells: Sequence[tuple[int, int, str]]) -> bool:
    """Whether a row's first cell is a time and nothing else ("After 6 months")."""
    if not cells:
        return False
    label = cells[0][2]
    found = [f for f in scan(label) if dimension(f.quantity.unit) == "time"]
    rest = label[: found[0].start] + label[found[0].end :] if len(found) == 1 else label
    return len(found) == 1 and not re.search(r"(?i)\b(?!(?:at|after|by|in|the)\b)[a-z]{3,}", rest)


def _row_timed(seg: Segment, items: list[_Item]) -> list[_Item]:
    """A row whose first cell is a time gives it to the results of its other cells ("6 months
    | 72% | 45%"): the time is part of those claims, not one of its own."""
    cells = _cells(seg)
    if not _row_time(cells) or len(cells) < 2:
        return items
    end = cells[0][1]
    results = [
        it
        for it in items
        if it.found.start >= end and dimension(it.quantity.unit) in ("percent", "points")
    ]
    return [it for it in items if it.found.start >= end] if results else items


def _in_table(page: _Page, table: _Table, seg: Segment, it: _Item, d: Draft) -> Draft:
    """A cell's draft with what its column's header and its row's first cell say: the
    header's time is the cell's timepoint ("Improved at 12 months"), its words the cell's
    outcome and measure ("Average pain reduction"), and the row's first cell its stage
    ("Early") or outcome ("Pain relief"); the basis is the cell's, the header's or the
    caption's ("Outcomes by stage in our own patients")."""
    ds = page.ds
    cells = _cells(seg)
    col = _column(cells, it.found.start)
    if col is None:
        return d
    header = table.header[col][2] if col < len(table.header) else ""
    label = cells[0][2] if col > 0 else ""
    q = d.value
    dim = dimension(q.unit)
    guessed = list(d.guessed)
    timepoint, measure, outcome, stages, basis = (
        d.timepoint,
        d.measure,
        d.outcome,
        d.stages,
        d.basis,
    )
    if timepoint is None and dim in ("percent", "points"):
        # the column's time ("Improved at 12 months"), else the row's ("6 months | 72%")
        # or the table's, in its first header cell ("Result at 6 months | Share of patients")
        tp = (
            _time_of(header)
            or (_time_of(label) if _row_time(cells) else None)
            or (_time_of(table.header[0][2]) if col > 0 and table.header else None)
        )
        if tp is not None:
            timepoint = tp
            guessed.append("timepoint")
    if (
        q.unit == "percent"
        and measure == "effect"
        and (_SHARE_HEADER.search(header) or _SHARE_HEADER.search(label))
    ):
        measure = _valid_measure(ds, "responder-rate", q)
    if outcome == "improvement":
        # a row label naming a condition ("Neuropathic Pain") gives the condition only
        names_condition = bool(_condition_hits(page.matcher, label))
        for context in (label, header):
            if not context or (context is label and names_condition):
                continue
            reading = f"{context} {it.value_text}"
            found = _guess_outcome(
                ds, _keywords(ds, reading), len(context) + 1, len(reading), q, measure, reading
            )
            if found != "improvement":
                outcome = found
                break
    cond = ds.conditions.get(d.condition)
    if not stages and label and cond is not None:
        stages = _stages_in(
            cond, label if re.search(r"(?i)\bstages?\b", label) else f"{label} stage"
        )
    if dim in _RESULT_DIMENSIONS or q.unit == "patients":
        cell = cells[col][2]
        for context in (cell, header, label, table.caption):
            found_basis = _guess_basis(context, False) if context else "none"
            if found_basis != "none":
                basis = found_basis
                break
        else:
            if basis == "none" and table.basis is not None and dim in _RESULT_DIMENSIONS:
                basis = table.basis  # the audit the text before the table told of
    return replace(
        d,
        timepoint=timepoint,
        measure=measure,
        outcome=outcome,
        stages=stages,
        basis=basis,
        guessed=tuple(guessed),
    )
