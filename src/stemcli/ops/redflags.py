"""redflags: warning signs in a page's text or in a source's quotes.

The rules live in ``data/redflags.yaml`` with the other vocabularies: regular expressions run
over each sentence and table row (or only over headings, or over the whole text for
passages such as a quote and the name after it), each with why it matters and the public
guidance it follows. A page-level rule looks at the page as a whole: one finding
when the page names conditions of enough different groups across its sentences, table
rows and lists (a heading that titles a section is not read). A table row is read with
its table's header row for a rule's exceptions, and a rule may pass over a match inside
a quotation that the sentence relays ("the clinic tells patients that \"...\""). A
rule file is checked when loaded (fields, patterns that compile, no nested unbounded
repetition); any problem is an :class:`~stemcli.errors.InputError` naming the rule. For
a source of the dataset, the rules run over its claims' quotes and a context-completeness
score says how many of its claims state n, a timepoint, a comparator and a citation.

A page's kind decides whose claims its findings are: on a page that sells no treatment
(information: news, advice; see :func:`guess_page_kind`), a finding the page relays (in a
quotation, in reported speech or a regulator's statement, advice to readers, a headline
reporting an action, any page-level finding) is marked ``relayed``; the others remain its
own red flags.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from stemcli.errors import InputError, Location
from stemcli.model import Claim
from stemcli.ops.kinds import REGULATOR as _REGULATOR
from stemcli.ops.kinds import guess_kind
from stemcli.text.segments import LineIndex, segments

__all__ = [
    "SELLING_KINDS",
    "Completeness",
    "Finding",
    "RedFlags",
    "Rule",
    "completeness",
    "guess_page_kind",
    "load_rules",
    "scan_quotes",
    "scan_text",
]

RULES_FILE = "redflags.yaml"
_RULE_FIELDS = (
    "id",
    "name",
    "patterns",
    "unless",
    "requires",
    "unless_before",
    "unless_after",
    "unless_reported",
    "enumeration",
    "scope",
    "groups",
    "min_groups",
    "why",
    "citation",
)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")
_MAX_PATTERN = 1000
_BEFORE_WINDOW = 40
_AFTER_WINDOW = 40
SCOPES = ("sentence", "heading", "passage", "page")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    patterns: tuple[re.Pattern[str], ...]
    why: str
    citation: str
    unless: tuple[re.Pattern[str], ...] = ()
    unless_before: re.Pattern[str] | None = None
    enumeration: re.Pattern[str] | None = None
    min_distinct: int = 0
    unless_after: re.Pattern[str] | None = None
    scope: str = "sentence"  # one of SCOPES
    groups: tuple[tuple[str, re.Pattern[str]], ...] = ()  # page scope: (group name, pattern)
    min_groups: int = 0
    unless_reported: re.Pattern[str] | None = None
    # sentence and heading rules: a sentence counts only when one of these is in it
    requires: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Finding:
    """One match of one rule; ``start``/``end`` index the scanned text (file or quote).

    A page-level finding (``scope == "page"``) stands for the whole page: it points at the
    first mention that made it, and ``evidence`` names what was found across the page
    ("neurological: autism").
    """

    rule: str
    name: str
    match: str
    start: int
    end: int
    why: str
    citation: str
    line: int
    column: int
    context: str  # the sentence or row the match is in
    context_start: int  # offset of ``context`` in the scanned text
    claim: str | None = None
    claims: tuple[str, ...] = ()
    scope: str = "sentence"  # the rule's scope: sentence, heading, passage or page
    evidence: tuple[str, ...] = ()
    # on a page that does not sell treatment: a claim the page reports (quoted, said by
    # someone, a regulator's statement, advice to readers), not one it makes
    relayed: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "name": self.name,
            "match": self.match,
            "start": self.start,
            "end": self.end,
            "why": self.why,
            "citation": self.citation,
        }
        if self.scope == "page":
            out["scope"] = "page"
            out["evidence"] = list(self.evidence)
        if self.relayed:
            out["relayed"] = True
        if self.claim is not None:
            out["claim"] = self.claim
            out["claims"] = list(self.claims)
        return out


@dataclass(frozen=True)
class Completeness:
    """How many of a source's numeric claims give the context a number needs."""

    claims: int
    with_n: int
    with_timepoint: int
    with_comparator: int
    with_citation: int

    def shares(self) -> dict[str, float]:
        def share(k: int) -> float:
            return k / self.claims if self.claims else 0.0

        return {
            "n": share(self.with_n),
            "timepoint": share(self.with_timepoint),
            "comparator": share(self.with_comparator),
            "citation": share(self.with_citation),
        }

    @property
    def mean(self) -> float:
        s = self.shares()
        return sum(s.values()) / len(s)

    def to_json(self) -> dict[str, Any]:
        counts = {
            "n": self.with_n,
            "timepoint": self.with_timepoint,
            "comparator": self.with_comparator,
            "citation": self.with_citation,
        }
        out: dict[str, Any] = {"claims": self.claims}
        for key, share in self.shares().items():
            out[key] = {"count": counts[key], "share": round(share, 4)}
        out["mean"] = round(self.mean, 4)
        return out


@dataclass(frozen=True)
class RedFlags:
    findings: tuple[Finding, ...]
    rules: int
    path: str | None = None
    source: str | None = None
    completeness: Completeness | None = None
    kind: str | None = None  # the page's kind (clinic, broker, information) when known
    kind_guessed: bool = False

    @property
    def own(self) -> tuple[Finding, ...]:
        """The findings that are the page's own claims (not relayed)."""
        return tuple(f for f in self.findings if not f.relayed)


# ---------------------------------------------------------------------------
# loading the rules


_REPEAT = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _nested_unbounded(pattern: str) -> bool:
    """True when a group repeated without bound contains an unbounded repetition: "(a+)+".

    Such patterns can take exponential time on a non-matching sentence. Bounded repeats
    ("(?:\\w+\\s+){0,3}") stay allowed.
    """
    stack: list[bool] = []  # per open group: does it contain an unbounded repeat?
    i, n = 0, len(pattern)
    in_class = False

    def unbounded_at(j: int) -> bool:
        if j >= n:
            return False
        if pattern[j] in "*+":
            return True
        m = _REPEAT.match(pattern, j)
        return bool(m and m.group(2) and not m.group(3))

    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            if not in_class and unbounded_at(i) and stack:
                stack[-1] = True
            continue
        if in_class:
            if ch == "]":
                in_class = False
                if unbounded_at(i + 1) and stack:
                    stack[-1] = True
            i += 1
            continue
        if ch == "[":
            in_class = True
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            continue
        if ch == "(":
            stack.append(False)
        elif ch == ")":
            inner = stack.pop() if stack else False
            if inner and unbounded_at(i + 1):
                return True
            if stack and (inner or unbounded_at(i + 1)):
                stack[-1] = True
        elif unbounded_at(i) and stack and i > 0:
            stack[-1] = True
        i += 1
    return False


def _compile(where: str, pattern: Any) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise InputError(f"{where}: a pattern must be non-empty text")
    if len(pattern) > _MAX_PATTERN:
        raise InputError(f"{where}: a pattern is at most {_MAX_PATTERN} characters")
    if _nested_unbounded(pattern):
        raise InputError(
            f"{where}: pattern {pattern!r} repeats a group that itself repeats without bound",
            hint="bound the inner or the outer repetition, e.g. {0,3}",
        )
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        pos = f" at position {e.pos}" if e.pos is not None else ""
        raise InputError(f"{where}: invalid pattern {pattern!r}: {e.msg}{pos}") from None
    first = _first_chars(pattern)
    if first is None:
        return compiled
    # the same matches, found faster: the regular expression engine skips every position
    # that cannot start a match instead of trying each word of an alternation there
    return re.compile(f"(?=[{first}])(?:{pattern})", re.IGNORECASE)


_QUANTIFIER = re.compile(r"[?*]|\{0*,|\{0*\}|\{0+,?\d*\}")
_SAFE_IN_CLASS = re.compile(r"[\w$€£\"“”‘’'()<>~≤≥±+#@&%]")


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """``(index, character, depth)`` for each character of ``pattern`` from ``start`` that
    is outside an escape and a character class: the only ones that shape its groups. The
    depth counts the groups open after a '(' and before a ')'."""
    depth, in_class, i = 0, False, start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        else:
            depth += ch == "("
            yield i, ch, depth
            depth -= ch == ")"
        i += 1


def _group_end(pattern: str, i: int) -> int:
    """Index of the ')' closing the group opened at ``pattern[i]``, or -1."""
    return next((j for j, ch, depth in _structure(pattern, i) if ch == ")" and depth == 1), -1)


def _alternatives(body: str) -> list[str]:
    """The top-level alternatives of a group's body."""
    cuts = [i for i, ch, depth in _structure(body) if ch == "|" and depth == 0]
    return [body[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(body)], strict=True)]


def _first_chars(pattern: str, depth: int = 0) -> str | None:
    """The characters any match of ``pattern`` starts with, as the body of a character class,
    when that is plain to see; None when unsure (then nothing is skipped).

    Read: a leading \\b, then one literal letter or digit, \\d, a plain character class, or a
    group (?:...), (?-i:...) or (...) whose alternatives each start so; none of them may be
    optional (followed by ?, * or {0,).
    """
    if depth > 8:
        return None
    alternatives = _alternatives(pattern)
    if len(alternatives) > 1:
        union: set[str] = set()
        for alt in alternatives:
            first = _first_chars(alt, depth + 1)
            if first is None:
                return None
            union.add(first)
        return "".join(sorted(union))
    i = 0
    while pattern.startswith("\\b", i):
        i += 2
    if i >= len(pattern):
        return None
    ch, rest = pattern[i], i + 1
    chars: set[str] = set()
    if ch == "(":
        end = _group_end(pattern, i)
        opener = next((o for o in ("(?:", "(?-i:", "(?i:") if pattern.startswith(o, i)), None)
        if end < 0 or (opener is None and pattern.startswith("(?", i)):
            return None
        body = pattern[i + len(opener or "(") : end]
        for alt in _alternatives(body):
            first = _first_chars(alt, depth + 1)
            if first is None:
                return None
            chars.add(first)
        rest = end + 1
    elif ch == "\\":
        if pattern[i + 1 : i + 2] != "d":
            return None
        chars.add("\\d")
        rest = i + 2
    elif ch == "[":
        end = pattern.find("]", i + 1)
        body = pattern[i + 1 : end]
        if end < 0 or not body or not all(_SAFE_IN_CLASS.fullmatch(c) for c in body):
            return None
        chars.update(re.escape(c) for c in body)
        rest = end + 1
    elif ch.isalnum():
        chars.add(re.escape(ch))
    else:
        return None
    if _QUANTIFIER.match(pattern, rest):
        return None
    return "".join(sorted(chars))


def _text(where: str, rule: dict[str, Any], key: str) -> str:
    value = rule.get(key)
    if isinstance(value, list) and key == "citation":
        value = "; ".join(str(v).strip() for v in value if str(v).strip())
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: field {key!r} must be non-empty text")
    return " ".join(value.split())


def _patterns(where: str, value: Any, key: str) -> tuple[re.Pattern[str], ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InputError(f"{where}: field {key!r} must be a list of patterns")
    return tuple(_compile(f"{where}: {key}[{i}]", p) for i, p in enumerate(value))


def _groups(
    where: str, item: dict[str, Any], scope: str
) -> tuple[tuple[tuple[str, re.Pattern[str]], ...], int]:
    """A page-level rule's named groups of patterns and how many of them must be found."""
    value, least = item.get("groups"), item.get("min_groups")
    if scope != "page":
        if value is not None or least is not None:
            raise InputError(f"{where}: 'groups' and 'min_groups' need 'scope: page'")
        return (), 0
    if not isinstance(value, dict) or not value:
        raise InputError(
            f"{where}: a page-level rule needs 'groups': a mapping of group names to patterns"
        )
    groups: list[tuple[str, re.Pattern[str]]] = []
    for name, pattern in value.items():
        if not isinstance(name, str) or not _SLUG.fullmatch(name):
            raise InputError(f"{where}: group name {name!r} must be a lowercase slug")
        groups.append((name, _compile(f"{where}: groups.{name}", pattern)))
    if not isinstance(least, int) or isinstance(least, bool) or not 2 <= least <= len(groups):
        raise InputError(
            f"{where}: 'min_groups' must be a whole number from 2 to the number of groups"
        )
    return tuple(groups), least


def parse_rules(text: str, path: str = RULES_FILE) -> tuple[Rule, ...]:
    """Rules from the text of a rule file; every problem is an InputError naming the rule."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        doc = yaml.load(text, Loader=loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
        raise InputError(f"{where}: invalid YAML in the rule file") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise InputError(f"{path}: expected a mapping with a 'rules' list")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(doc["rules"]):
        where = f"{path}: rule {i + 1}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: each rule must be a mapping")
        rid = item.get("id")
        if not isinstance(rid, str) or not _SLUG.fullmatch(rid):
            raise InputError(f"{where}: 'id' must be a lowercase slug")
        where = f"{path}: rule {rid!r}"
        if rid in seen:
            raise InputError(f"{where}: the id is used twice")
        seen.add(rid)
        unknown = sorted(set(item) - set(_RULE_FIELDS))
        if unknown:
            raise InputError(
                f"{where}: unknown field {unknown[0]!r}",
                hint=f"fields: {', '.join(_RULE_FIELDS)}",
            )
        patterns = _patterns(where, item.get("patterns"), "patterns")
        enumeration: re.Pattern[str] | None = None
        min_distinct = 0
        enum = item.get("enumeration")
        if enum is not None:
            if not isinstance(enum, dict) or set(enum) != {"pattern", "min_distinct"}:
                raise InputError(f"{where}: 'enumeration' needs 'pattern' and 'min_distinct'")
            enumeration = _compile(f"{where}: enumeration", enum["pattern"])
            md = enum["min_distinct"]
            if not isinstance(md, int) or isinstance(md, bool) or md < 2:
                raise InputError(f"{where}: 'min_distinct' must be a whole number of 2 or more")
            min_distinct = md
        scope = item.get("scope", "sentence")
        if scope not in SCOPES:
            raise InputError(
                f"{where}: 'scope' must be one of {', '.join(SCOPES)}",
                hint="the default is sentence",
            )
        groups, min_groups = _groups(where, item, scope)
        if scope in ("page", "passage") and enumeration is not None:
            raise InputError(f"{where}: an 'enumeration' is for sentence or heading rules")
        if not patterns and enumeration is None and not groups:
            raise InputError(f"{where}: a rule needs 'patterns' or an 'enumeration'")
        before, after = item.get("unless_before"), item.get("unless_after")
        reported = item.get("unless_reported")
        if reported is not None and scope in ("page", "passage"):
            raise InputError(f"{where}: 'unless_reported' is for sentence or heading rules")
        requires = _patterns(where, item.get("requires"), "requires")
        if requires and scope in ("page", "passage"):
            raise InputError(f"{where}: 'requires' is for sentence or heading rules")
        rules.append(
            Rule(
                id=rid,
                name=_text(where, item, "name"),
                patterns=patterns,
                why=_text(where, item, "why"),
                citation=_text(where, item, "citation"),
                unless=_patterns(where, item.get("unless"), "unless"),
                unless_before=None
                if before is None
                else _compile(f"{where}: unless_before", before),
                enumeration=enumeration,
                min_distinct=min_distinct,
                unless_after=None if after is None else _compile(f"{where}: unless_after", after),
                scope=scope,
                groups=groups,
                min_groups=min_groups,
                unless_reported=None
                if reported is None
                else _compile(f"{where}: unless_reported", reported),
                requires=requires,
            )
        )
    if not rules:
        raise InputError(f"{path}: the rule file has no rules")
    return tuple(rules)


@functools.cache
def load_rules() -> tuple[Rule, ...]:
    """The bundled rule set (parsed and checked once per process)."""
    from stemcli.dataset.find import bundled_dir
    from stemcli.text.files import read_text

    try:
        text = read_text(bundled_dir() / RULES_FILE)
    except InputError as e:
        raise InputError(
            f"cannot read the bundled rule file: {e.reason}", location=Location(RULES_FILE)
        ) from None
    return parse_rules(text, RULES_FILE)


# ---------------------------------------------------------------------------
# running them


_Span = tuple[int, int]


class _TooMany(Exception):
    """More matches of one pattern than a page can hold findings."""


def _in_segments(
    pattern: re.Pattern[str], text: str, segs: Sequence[_Span]
) -> dict[int, list[re.Match[str]]]:
    """Matches of ``pattern`` inside each segment, by segment index.

    The pattern runs once over the whole text; a match that is not inside one segment
    (it crosses a sentence end) is dropped and the segments it touches are searched
    again on their own, so every segment gets exactly its own matches.
    """
    starts = [s for s, _ in segs]
    out: dict[int, list[re.Match[str]]] = {}
    again: set[int] = set()
    budget = _MAX_MATCHES
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        budget -= 1
        if budget < 0:  # stop at once: holding millions of matches costs gigabytes
            raise _TooMany
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.end() <= segs[i][1]:
            if m.start() < segs[i][1]:
                out.setdefault(i, []).append(m)
            continue
        # crosses a boundary: every segment it touches is searched on its own
        k = max(i, 0)
        while k < len(segs) and segs[k][0] < m.end():
            if segs[k][1] > m.start():
                again.add(k)
            k += 1
    for k in again:
        s, e = segs[k]
        found = [m for m in pattern.finditer(text, s, e) if m.end() > m.start()]
        if found:
            out[k] = found
        else:
            out.pop(k, None)
    return out


# how far before and after a quotation the words that relay it are looked for
_BEFORE_QUOTE = 300
_AFTER_QUOTE = 60
_CLOSING = {'"': '"', "\u201c": "\u201d", "\u2018": "\u2019"}


_CLOSING_SINGLE = re.compile("\u2019(?![^\\W\\d_])")  # not an apostrophe inside a word


def _closing_single(text: str, start: int, end: int) -> int:
    """The first closing single curly quote in [start, end) (one not inside a word, as an
    apostrophe is: "clinic\u2019s"), or -1."""
    m = _CLOSING_SINGLE.search(text, start, end)
    return m.start() if m else -1


def _quotation(text: str, seg: _Span, pos: int) -> tuple[int, int] | None:
    """(opening, closing) offsets of the quotation marks around ``pos`` in the sentence
    ``seg``, the closing one ``seg[1]`` when the sentence ends first; None when ``pos`` is
    not inside a quotation."""
    start, end = seg
    opening = -1
    if text.count('"', start, pos) % 2 == 1:
        opening = text.rfind('"', start, pos)
    curly = text.rfind("\u201c", start, pos)
    if curly > text.rfind("\u201d", start, pos):
        opening = max(opening, curly)
    single = text.rfind("\u2018", start, pos)
    if single > opening and _closing_single(text, single + 1, pos) < 0:
        opening = single
    if opening < 0:
        return None
    mark = _CLOSING[text[opening]]
    in_single = mark == "\u2019"
    closing = _closing_single(text, pos, end) if in_single else text.find(mark, pos, end)
    return opening, end if closing < 0 else closing


def _relayed(rule: Rule, text: str, seg: _Span, m: re.Match[str]) -> bool:
    """Whether the match is inside a quotation that the sentence relays: the rule's
    ``unless_reported`` pattern is in the sentence before the quotation (at most
    ``_BEFORE_QUOTE`` characters), or just after it ('"No side effects," the clinic says')."""
    if rule.unless_reported is None:
        return False
    quote = _quotation(text, seg, m.start())
    if quote is None:
        return False
    opening, closing = quote
    if rule.unless_reported.search(text, max(seg[0], opening - _BEFORE_QUOTE), opening):
        return True
    after = min(seg[1], closing + 1 + _AFTER_QUOTE)
    return closing < seg[1] and bool(rule.unless_reported.search(text, closing + 1, after))


def _kept(rule: Rule, text: str, seg: _Span, m: re.Match[str]) -> bool:
    """False when the words just before or after a match undo it ("not a cure", "50% of adults"),
    or when the match is inside a quotation that the sentence relays ("the clinic tells
    patients that \"...\"")."""
    if _relayed(rule, text, seg, m):
        return False
    if rule.unless_before is not None:
        before = text[max(seg[0], m.start() - _BEFORE_WINDOW) : m.start()]
        if rule.unless_before.search(before):
            return False
    if rule.unless_after is not None:
        after = text[m.end() : min(seg[1], m.end() + _AFTER_WINDOW)]
        if rule.unless_after.search(after):
            return False
    return True


def _matches(
    rule: Rule,
    pattern: re.Pattern[str],
    text: str,
    segs: Sequence[_Span],
    skip: Callable[[int], bool],
) -> Iterator[tuple[int, re.Match[str]]]:
    """(segment index, match) of ``pattern`` that the rule keeps, in segment order."""
    found = _in_segments(pattern, text, segs)
    for k in sorted(found):
        if skip(k):
            continue
        for m in found[k]:
            if _kept(rule, text, segs[k], m):
                yield k, m


def _skipper(
    rule: Rule,
    text: str,
    segs: Sequence[_Span],
    headings: frozenset[int] | None = None,
    headers: Mapping[int, _Span] | None = None,
    quiet: frozenset[int] = frozenset(),
) -> Callable[[int], bool]:
    """Whether segment k counts for nothing: one of the rule's ``unless`` patterns is in it
    (or, for a table row, in its table's header row), none of its ``requires`` patterns is
    in it, it is in ``quiet``, or the rule reads headings and it is none."""
    unless: dict[int, bool] = {}

    def skip(k: int) -> bool:
        if k in quiet:
            return True
        if rule.scope == "heading" and headings is not None and k not in headings:
            return True
        if k not in unless:
            spans = [segs[k]]
            if headers is not None and k in headers:
                spans.append(headers[k])
            unless[k] = any(p.search(text, s, e) for p in rule.unless for s, e in spans) or (
                bool(rule.requires)
                and not any(p.search(text, segs[k][0], segs[k][1]) for p in rule.requires)
            )
        return unless[k]

    return skip


def _rule_spans(
    rule: Rule,
    text: str,
    segs: Sequence[_Span],
    headings: frozenset[int],
    headers: Mapping[int, _Span] | None = None,
) -> dict[int, list[_Span]]:
    """Spans of a sentence- or heading-level ``rule``'s findings, by segment index."""
    skip = _skipper(rule, text, segs, headings, headers)
    candidates: dict[int, list[_Span]] = {}
    for pattern in rule.patterns:
        for k, m in _matches(rule, pattern, text, segs, skip):
            candidates.setdefault(k, []).append((m.start(), m.end()))
    if rule.enumeration is not None:
        for k, found in _in_segments(rule.enumeration, text, segs).items():
            if skip(k):
                continue
            distinct = {" ".join(m.group().lower().split()) for m in found}
            if len(distinct) >= rule.min_distinct:
                candidates.setdefault(k, []).append((found[0].start(), found[-1].end()))
    out: dict[int, list[_Span]] = {}
    for k, spans in candidates.items():
        # overlapping matches of one rule are one finding
        merged: list[_Span] = []
        for a, b in sorted(spans):
            if merged and a < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        out[k] = merged
    return out


def _passage_spans(rule: Rule, text: str, segs: Sequence[_Span]) -> list[tuple[_Span, _Span]]:
    """(match, context) spans of a passage-level ``rule``: its patterns run over the whole
    text, so a match may run across sentences and lines (a quote and the name after it);
    the context is the sentences the match touches."""
    if not segs:
        return []
    starts = [s for s, _ in segs]

    def seg_at(offset: int) -> int:
        return max(0, bisect.bisect_right(starts, offset) - 1)

    spans: list[tuple[_Span, _Span]] = []
    for pattern in rule.patterns:
        budget = _MAX_MATCHES
        for m in pattern.finditer(text):
            if m.end() == m.start():
                continue
            budget -= 1
            if budget < 0:
                raise _TooMany
            first, last = seg_at(m.start()), seg_at(m.end() - 1)
            ctx = (min(segs[first][0], m.start()), max(segs[last][1], m.end()))
            if rule.unless_before is not None:
                before = text[max(segs[first][0], m.start() - _BEFORE_WINDOW) : m.start()]
                if rule.unless_before.search(before):
                    continue
            if rule.unless_after is not None:
                after = text[m.end() : min(max(segs[last][1], m.end()), m.end() + _AFTER_WINDOW)]
                if rule.unless_after.search(after):
                    continue
            if any(p.search(text, ctx[0], ctx[1]) for p in rule.unless):
                continue
            spans.append(((m.start(), m.end()), ctx))
    merged: list[tuple[_Span, _Span]] = []
    for span, ctx in sorted(spans):
        if merged and span[0] < merged[-1][0][1]:
            (a, b), (c, d) = merged[-1]
            merged[-1] = ((a, max(b, span[1])), (c, max(d, ctx[1])))
        else:
            merged.append((span, ctx))
    return merged


@dataclass(frozen=True)
class _Part:
    """One text a page-level rule reads: a page, or one quote of a source."""

    text: str
    segs: Sequence[_Span]
    headers: Mapping[int, _Span] | None = None  # a table row's header row
    quiet: frozenset[int] = frozenset()  # segments a page rule does not read


@dataclass(frozen=True)
class _Mention:
    part: int
    seg: int
    start: int
    end: int


def _page_hit(rule: Rule, parts: Sequence[_Part]) -> tuple[_Mention, tuple[str, ...]] | None:
    """Where a page-level ``rule`` fires over ``parts`` and what it found, or None.

    It fires when a sentence matches one of its patterns ("treats over 50 conditions"), or
    when the parts together mention at least ``min_groups`` of its groups. A sentence that
    matches one of its ``unless`` patterns counts for nothing.
    """
    trigger: _Mention | None = None
    first: dict[str, tuple[_Mention, str]] = {}  # group -> its first mention
    for i, part in enumerate(parts):
        text, segs = part.text, part.segs
        skip = _skipper(rule, text, segs, headers=part.headers, quiet=part.quiet)
        if trigger is None:
            for pattern in rule.patterns:
                for k, m in _matches(rule, pattern, text, segs, skip):
                    trigger = _Mention(i, k, m.start(), m.end())
                    break
                if trigger is not None:
                    break
        for name, pattern in rule.groups:
            if name in first:
                continue
            for k, m in _matches(rule, pattern, text, segs, skip):
                first[name] = (_Mention(i, k, m.start(), m.end()), " ".join(m.group().split()))
                break
    if trigger is None and len(first) < rule.min_groups:
        return None
    order = sorted(first.items(), key=lambda kv: (kv[1][0].part, kv[1][0].start))
    evidence = tuple(f"{name}: {mention}" for name, (_, mention) in order)
    where = trigger if trigger is not None else order[0][1][0]
    return where, evidence


_MIN_LIST = 3


def _section_headings(headings: set[int]) -> frozenset[int]:
    """The headings that title a section: those not in a run of at least ``_MIN_LIST``
    headings one after the other (such a run is a list: "Autism / COPD / Heart failure")."""
    out: set[int] = set()
    run: list[int] = []
    for k in [*sorted(headings), -2]:
        if run and k != run[-1] + 1:
            if len(run) < _MIN_LIST:
                out.update(run)
            run = []
        run.append(k)
    return frozenset(out)


MAX_FINDINGS = 20_000  # a page has a few dozen; more is not one page
# matches of one pattern looked at before giving up (some are dropped by a rule's
# exceptions, so a few times the findings' limit)
_MAX_MATCHES = 4 * MAX_FINDINGS


def _too_many(what: str) -> InputError:
    return InputError(
        f"{what}: more than {MAX_FINDINGS:,} red flags; redflags reads one page at a time"
    )


def _finding(
    rule: Rule, text: str, seg: _Span, span: _Span, line: tuple[int, int], context: str
) -> Finding:
    return Finding(
        rule=rule.id,
        name=rule.name,
        match=text[span[0] : span[1]],
        start=span[0],
        end=span[1],
        why=rule.why,
        citation=rule.citation,
        line=line[0],
        column=line[1],
        context=context,
        context_start=seg[0],
        scope=rule.scope,
    )


def _scan_segments(
    text: str,
    rules: Sequence[Rule],
    segs: Sequence[_Span],
    what: str,
    headings: frozenset[int] = frozenset(),
    headers: Mapping[int, _Span] | None = None,
) -> list[Finding]:
    """Findings of the sentence-, heading- and passage-level ``rules`` in ``text``."""
    lines = LineIndex(text)
    contexts: dict[int, str] = {}  # one string per sentence, shared by its findings
    out: list[Finding] = []
    for rule in rules:
        if rule.scope == "page":
            continue
        if rule.scope == "passage":
            try:
                passages = _passage_spans(rule, text, segs)
            except _TooMany:
                raise _too_many(what) from None
            if len(out) + len(passages) > MAX_FINDINGS:
                raise _too_many(what)
            for span, ctx in passages:
                context = text[ctx[0] : ctx[1]]
                out.append(_finding(rule, text, ctx, span, lines(span[0]), context))
            continue
        try:
            by_segment = _rule_spans(rule, text, segs, headings, headers)
        except _TooMany:
            raise _too_many(what) from None
        for k, spans in by_segment.items():
            seg_start, seg_end = segs[k]
            if k not in contexts:
                contexts[k] = text[seg_start:seg_end]
            if len(out) + len(spans) > MAX_FINDINGS:
                raise _too_many(what)
            for span in spans:
                out.append(_finding(rule, text, segs[k], span, lines(span[0]), contexts[k]))
    out.sort(key=lambda f: (f.start, f.end, f.rule))
    return out


def _page_findings(
    rules: Sequence[Rule], parts: Sequence[_Part], what: str
) -> list[tuple[int, Finding]]:
    """(part index, finding) of each page-level rule that fires over ``parts``."""
    out: list[tuple[int, Finding]] = []
    for rule in rules:
        if rule.scope != "page":
            continue
        try:
            hit = _page_hit(rule, parts)
        except _TooMany:
            raise _too_many(what) from None
        if hit is None:
            continue
        where, evidence = hit
        part = parts[where.part]
        seg = part.segs[where.seg]
        line = LineIndex(part.text)(where.start)
        context = part.text[seg[0] : seg[1]]
        found = _finding(rule, part.text, seg, (where.start, where.end), line, context)
        out.append((where.part, replace(found, evidence=evidence)))
    return out


# ---------------------------------------------------------------------------
# pages that do not sell treatment: what they relay is not their own claim

SELLING_KINDS = ("clinic", "broker")

# someone else's words: reported speech, a complaint, what was advertised
_REPORTING = re.compile(
    r"\b(?:said|says|told|tells|according\s+to|claim(?:s|ed)|advertis(?:es|ed|ements?)|"
    r"alleg\w+|complaints?|promis(?:es|ed)|urged|reported(?:ly)?|stated|wrote|marketed|"
    r"touted|described|called|testified|insist(?:s|ed))\b",
    re.IGNORECASE,
)
# advice to readers: "Ask whether ...", "Be wary of any clinic that ...", a reader's question
_ADVICE = re.compile(
    r"^\W*(?:ask|be\s+(?:wary|careful|sceptical|skeptical)|beware|avoid|look\s+(?:for|out)|"
    r"check\s+(?:whether|that|if|with)|watch\s+(?:for|out)|don't|do\s+not|never|talk\s+to|"
    r"consult|find\s+out)\b|\b(?:you\s+should|be\s+wary|beware|warning\s+signs?|red\s+flags?)\b|"
    r"\?\s*$",
    re.IGNORECASE,
)
# a headline reporting an action: "FTC fines stem cell chain over 'miracle' claims"
_ACTION_HEADLINE = re.compile(
    r"\b(?:fine[sd]?|sues?|sued|charge[sd]|warns?|warned|orders?|ordered|bans?|banned|"
    r"settles?|settled|accuse[sd]|investigat\w+|probes?|crack(?:s|ed)?\s+down|shut\s+down|"
    r"penali[sz]e[sd]?|over\s+(?:\w+\s+){0,3}claims)\b",
    re.IGNORECASE,
)


def guess_page_kind(text: str) -> str:
    """clinic, broker or information, as redflags reads a page: the guess of
    :func:`stemcli.ops.kinds.guess_kind`, with a page of neither sales words nor reporting
    read as selling (clinic), so that a sales page with few sales words keeps its red flags."""
    return guess_kind(text, neither="clinic")


def _reports(text: str, seg: _Span, heading: bool, header: _Span | None) -> bool:
    """Whether a sentence (or table row, or heading) relays someone else's words: reported
    speech or a regulator's statement, advice to readers, a row of a table of what was
    advertised, or a headline reporting an action."""
    sentence = text[seg[0] : seg[1]]
    if _REPORTING.search(sentence) or _REGULATOR.search(sentence) or _ADVICE.search(sentence):
        return True
    if header is not None and _REPORTING.search(text, header[0], header[1]):
        return True
    return heading and bool(_ACTION_HEADLINE.search(sentence))


def _is_relayed(f: Finding, text: str, seg: _Span, reports: Callable[[], bool]) -> bool:
    """Whether a finding on a page that sells no treatment is a claim it reports: inside a
    quotation, in a sentence of reported speech or a regulator's statement, advice to
    readers, a row of a table of what was advertised, or a headline reporting an action.
    A page-level finding (many conditions) is never such a page's own offer."""
    if f.scope == "page":
        return True
    first = text[f.start : f.start + 1]
    inside = f.start + 1 if first and first in '"“‘' else f.start
    if _quotation(text, seg, inside) is not None:
        return True
    return reports()


def _mark_relayed(
    findings: Sequence[Finding],
    text: str,
    headings: frozenset[int] = frozenset(),
    headers: Mapping[int, _Span] | None = None,
    segs: Sequence[_Span] = (),
) -> list[Finding]:
    starts = {s: k for k, (s, _) in enumerate(segs)}
    seen: dict[_Span, bool] = {}  # one look per sentence, however many findings it has
    out: list[Finding] = []
    for f in findings:
        seg = (f.context_start, f.context_start + len(f.context))
        k = starts.get(f.context_start)
        header = headers.get(k) if headers is not None and k is not None else None

        def reports(seg: _Span = seg, k: int | None = k, header: _Span | None = header) -> bool:
            if seg not in seen:
                seen[seg] = _reports(text, seg, k in headings, header)
            return seen[seg]

        if _is_relayed(f, text, seg, reports):
            f = replace(f, relayed=True)
        out.append(f)
    return out


def scan_text(
    text: str,
    *,
    path: str | None = None,
    rules: Sequence[Rule] | None = None,
    kind: str | None = None,
    kind_guessed: bool = False,
) -> RedFlags:
    """Every finding of every rule in ``text`` (offsets in characters into ``text``).

    With a ``kind`` that sells no treatment (information), the findings that the page
    reports rather than makes are marked ``relayed``.
    """
    rules = load_rules() if rules is None else tuple(rules)
    segs: list[_Span] = []
    headings: set[int] = set()
    headers: dict[int, _Span] = {}
    header: _Span | None = None  # the first row of the table being read
    for i, seg in enumerate(segments(text)):
        segs.append((seg.start, seg.end))
        if seg.heading:
            headings.add(i)
        if seg.kind != "row":
            header = None
        elif header is None:
            header = (seg.start, seg.end)
        else:
            headers[i] = header
    what = path or "the text"
    findings = _scan_segments(text, rules, segs, what, frozenset(headings), headers)
    part = _Part(text, segs, headers, _section_headings(headings))
    page = [f for _, f in _page_findings(rules, [part], what)]
    if len(findings) + len(page) > MAX_FINDINGS:
        raise _too_many(what)
    findings = sorted([*findings, *page], key=lambda f: (f.start, f.end, f.rule))
    if kind is not None and kind not in SELLING_KINDS:
        findings = _mark_relayed(findings, text, frozenset(headings), headers, segs)
    return RedFlags(tuple(findings), len(rules), path=path, kind=kind, kind_guessed=kind_guessed)


def scan_quotes(
    claims: Sequence[Claim],
    *,
    source: str,
    rules: Sequence[Rule] | None = None,
    kind: str | None = None,
) -> RedFlags:
    """The rules over the quotes of ``claims`` (one run per distinct quote).

    A quote is a sentence, never a heading; page-level rules read the quotes together, as
    one page. With a ``kind`` that sells no treatment, what a quote relays is marked so.
    """
    relay = kind is not None and kind not in SELLING_KINDS
    rules = load_rules() if rules is None else tuple(rules)
    by_quote: dict[str, list[str]] = {}
    for c in claims:
        by_quote.setdefault(c.quote, []).append(c.id)
    findings: list[Finding] = []
    for quote, ids in by_quote.items():
        found = _scan_segments(quote, rules, [(0, len(quote))], f"claim {ids[0]}")
        if relay:
            found = _mark_relayed(found, quote, segs=[(0, len(quote))])
        for f in found:
            findings.append(replace(f, claim=ids[0], claims=tuple(ids)))
    quotes = list(by_quote.items())
    parts = [_Part(quote, [(0, len(quote))]) for quote, _ in quotes]
    for i, f in _page_findings(rules, parts, f"the quotes of {source}"):
        ids = quotes[i][1]
        findings.append(replace(f, claim=ids[0], claims=tuple(ids), relayed=relay))
    return RedFlags(
        tuple(findings),
        len(rules),
        source=source,
        completeness=completeness(claims),
        kind=kind,
    )


def completeness(claims: Sequence[Claim]) -> Completeness:
    """Share of claims stating n, a timepoint, a comparator and a citation."""
    return Completeness(
        claims=len(claims),
        with_n=sum(1 for c in claims if c.n is not None),
        with_timepoint=sum(1 for c in claims if c.timepoint is not None),
        with_comparator=sum(1 for c in claims if c.comparator),
        with_citation=sum(1 for c in claims if c.citation),
    )
