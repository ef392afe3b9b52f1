"""Write a synthetic stemcli dataset of N claims, laid out like data/.

    python benchmarks/generate.py --claims 100000 --seed 1   # into benchmarks/out/100000-seed1

The folder gets sources.yaml, conditions.yaml (the bundled conditions, so ids and stages
match the bundled vocabulary) and claims/<source>.yaml spread over --sources files
(200 by default, far below the loader's 16 MiB per-file limit even at a million claims).
outcomes.yaml is not written: the bundled vocabulary stays loaded under --no-bundled.
Use it with:

    stemcli --no-bundled --data benchmarks/out/100000-seed1 conflicts --count

The spread imitates the bundled data: most claims about knee osteoarthritis, a few
stage-specific, benefit claims as effect sizes or responder rates in percent, durations
in days, weeks, months or years, prices in dollars, some timepoints, comparators and
interventions, and qualifiers ("over", "up to", "about", "nearly", "+"). The same
--seed gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stemcli.dataset import load

# condition id -> weight (how often sources talk about it)
CONDITION_WEIGHTS = {
    "knee-oa": 35,
    "rotator-cuff": 10,
    "general": 10,
    "knee-injury": 6,
    "neuropathy": 6,
    "skin-scar": 5,
    "rheumatoid-arthritis": 4,
    "lumbar-disc": 6,
    "tendon-injury": 5,
    "musculoskeletal": 5,
    "autoimmune": 3,
    "chronic-conditions": 3,
    "blood-cancer": 2,
}
TIMEPOINTS = (
    "6 weeks",
    "week 8",
    "3 months",
    "6 months",
    "6-12 months",
    "12 months",
    "24 months",
    "2 years",
    "years 1-3",
    "5 years",
)
COMPARATORS = ("corticosteroids", "knee surgery", "physical therapy", "hyaluronic acid")
INTERVENTIONS = ("prp + stem cells", "stem cells + physical therapy", "medication")
KINDS = ("clinic", "broker", "information")
BASES = ("case-report", "clinic-data", "cited-study", "none")


@dataclass(frozen=True)
class Template:
    """How to draw a claim about one outcome: measure, value writer, timepoint chance."""

    outcome: str
    measure: str
    value: Callable[[random.Random], str]
    timepoint: float = 0.0  # probability of a timepoint
    relative: float = 0.0  # probability of a comparator
    weight: int = 1


def _percent(lo: float, hi: float, *, max_value: float = 100) -> Callable[[random.Random], str]:
    def draw(r: random.Random) -> str:
        a = r.uniform(lo, hi)
        shape = r.random()
        if shape < 0.35:
            return f"{a:.0f}%"
        if shape < 0.45:
            return f"{a:.1f}%"
        if shape < 0.75:
            b = min(max_value, a + r.choice((5, 10, 10, 15, 20)))
            return f"{a:.0f}-{b:.0f}%"
        if shape < 0.83:
            return f"over {a:.0f}%"
        if shape < 0.90:
            return f"about {a:.0f}%"
        if shape < 0.95:
            return f"nearly {a:.0f}%"
        return f"up to {a:.0f}%"

    return draw


def _duration(
    unit: str, lo: int, hi: int, *, qualifiers: bool = True
) -> Callable[[random.Random], str]:
    def draw(r: random.Random) -> str:
        a = r.randint(lo, hi)
        shape = r.random()
        if shape < 0.40:
            return f"{a} {unit if a != 1 else unit[:-1]}"
        if shape < 0.75:
            return f"{a}-{a + r.randint(1, max(1, (hi - lo) // 2 + 1))} {unit}"
        if not qualifiers:
            return f"{a} {unit}"
        if shape < 0.85:
            return f"within {a}-{a + r.randint(1, 3)} {unit}"
        if shape < 0.93:
            return f"up to {a} {unit}"
        if shape < 0.97:
            return f"about {a} {unit}"
        return f"{a}+ {unit}"

    return draw


def _cost(r: random.Random) -> str:
    a = r.randrange(1_500, 30_000, 500)
    shape = r.random()
    if shape < 0.5:
        return f"${a:,} - ${a + r.randrange(1_000, 10_000, 500):,}"
    if shape < 0.7:
        return f"about ${a:,}"
    if shape < 0.85:
        return f"up to ${a:,}"
    if shape < 0.95:
        return f"${a:,}"
    return f"between ${a:,} and ${a + 5_000:,}"


def _cells(r: random.Random) -> str:
    a = r.choice((1, 5, 10, 20, 30, 50, 100))
    return f"{a} million to {a * r.choice((2, 3, 4))} million cells"


def _count(unit: str, lo: int, hi: int) -> Callable[[random.Random], str]:
    def draw(r: random.Random) -> str:
        a = r.randint(lo, hi)
        if r.random() < 0.5:
            return f"{a} {unit}"
        return f"{a}-{a + r.randint(1, 2)} {unit}"

    return draw


def _points(r: random.Random) -> str:
    a = r.randint(40, 95)
    return f"above {a} points" if r.random() < 0.2 else f"{a} points"


TEMPLATES: tuple[Template, ...] = (
    Template("pain", "effect", _percent(20, 90), timepoint=0.3, relative=0.05, weight=12),
    Template("function", "effect", _percent(20, 90), timepoint=0.3, weight=8),
    Template("improvement", "effect", _percent(30, 95), timepoint=0.3, relative=0.03, weight=10),
    Template("improvement", "responder-rate", _percent(50, 95), timepoint=0.25, weight=8),
    Template("pain", "responder-rate", _percent(40, 90), timepoint=0.25, weight=4),
    Template("recurrence", "responder-rate", _percent(3, 40), timepoint=0.5, weight=3),
    Template("maintenance", "responder-rate", _percent(55, 95), timepoint=0.6, weight=3),
    Template("return-to-activity", "duration", _duration("days", 1, 14), weight=5),
    Template("return-to-activity", "duration", _duration("weeks", 1, 6), weight=3),
    Template("return-to-sport", "duration", _duration("weeks", 3, 16), weight=3),
    Template("recovery-time", "duration", _duration("weeks", 2, 20), weight=5),
    Template("pain", "time-point", _duration("weeks", 1, 12), weight=3),
    Template("full-benefit", "duration", _duration("months", 1, 6), weight=3),
    Template("benefit-duration", "duration", _duration("months", 6, 36), weight=4),
    Template("benefit-duration", "duration", _duration("years", 1, 5), weight=2),
    Template("cost", "cost", _cost, relative=0.03, weight=7),
    Template("cell-dose", "dose", _cells, weight=2),
    Template("sessions", "count", _count("injections", 1, 4), weight=4),
    Template("score", "score", _points, timepoint=0.7, weight=2),
    Template("follow-up", "duration", _duration("months", 3, 24, qualifiers=False), weight=2),
    Template("side-effects", "duration", _duration("days", 1, 5), weight=2),
    Template("cohort-size", "count", _count("patients", 10, 2_000), weight=2),
)


def _stages(r: random.Random, stage_ids: Sequence[str]) -> list[str]:
    if not stage_ids or r.random() < 0.45:
        return []
    if len(stage_ids) > 1 and r.random() < 0.2:
        i = r.randrange(len(stage_ids) - 1)
        return list(stage_ids[i : i + 2])
    return [r.choice(stage_ids)]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=True)


def generate(n: int, out: Path, *, seed: int = 0, sources: int = 200) -> Path:
    """Write ``n`` claims into ``out`` (replaced if it exists); return ``out``."""
    r = random.Random(seed)
    bundled = load(use_cache=False)
    conditions = [bundled.conditions[c] for c in CONDITION_WEIGHTS if c in bundled.conditions]
    weights = [CONDITION_WEIGHTS[c.id] for c in conditions]
    templates = list(TEMPLATES)
    template_weights = [t.weight for t in templates]
    if out.exists():
        shutil.rmtree(out)
    (out / "claims").mkdir(parents=True)

    lines = ["# Synthetic conditions: the bundled ones, so the bundled vocabulary applies."]
    for c in conditions:
        lines.append(f"- id: {c.id}")
        lines.append(f"  name: {_q(c.name)}")
        lines.append(f"  aliases: [{', '.join(_q(a) for a in c.aliases)}]")
        lines.append(f"  stages: [{', '.join(s.id for s in c.stages)}]")
    (out / "conditions.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    source_ids = [f"synth-{i:03d}" for i in range(sources)]
    lines = ["# Synthetic sources."]
    for i, sid in enumerate(source_ids):
        kind = KINDS[i % len(KINDS)]
        lines += [
            f"- id: {sid}",
            f"  title: {_q(f'Synthetic article {i}')}",
            f"  publisher: {_q(f'Synthetic {kind.title()} {i}')}",
            f"  kind: {kind}",
            f"  sells_treatment: {'false' if kind == 'information' else 'true'}",
        ]
    (out / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # uneven source sizes, like real articles: a few long ones, many short ones
    source_weights = [1.0 / (1 + i % 40) for i in range(sources)]
    per_source: dict[str, list[str]] = {sid: [] for sid in source_ids}
    for k in range(n):
        sid = r.choices(source_ids, source_weights)[0]
        cond = r.choices(conditions, weights)[0]
        t = r.choices(templates, template_weights)[0]
        value = t.value(r)
        stages = _stages(r, cond.stage_ids)
        block = [
            f"- id: {sid}-{k:07d}",
            f"  condition: {cond.id}",
            f"  stages: [{', '.join(stages)}]",
            f"  outcome: {t.outcome}",
            f"  measure: {t.measure}",
            f"  value: {_q(value)}",
        ]
        timepoint = r.choice(TIMEPOINTS) if r.random() < t.timepoint else None
        if timepoint:
            block.append(f"  timepoint: {_q(timepoint)}")
        if r.random() < t.relative:
            block.append(f"  comparator: {_q(r.choice(COMPARATORS))}")
        if r.random() < 0.06:
            block.append(f"  intervention: {_q(r.choice(INTERVENTIONS))}")
        basis = r.choice(BASES)
        block.append(f"  basis: {basis}")
        if basis in ("clinic-data", "cited-study") and r.random() < 0.5:
            block.append(f"  n: {r.randint(10, 2_000)}")
        when = f" at {timepoint}" if timepoint else ""
        quote = f"Synthetic claim {k}: {t.outcome} ({t.measure}) of {value}{when} in {cond.name}."
        block.append(f"  quote: {_q(quote)}")
        per_source[sid].append("\n".join(block))
    for sid, blocks in per_source.items():
        text = "\n".join(blocks) + "\n" if blocks else "[]\n"
        (out / "claims" / f"{sid}.yaml").write_text(text, encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", "-n", type=int, default=1_000, help="number of claims")
    parser.add_argument("--out", type=Path, help="output folder (default benchmarks/out/N-seedS)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--sources", type=int, default=200, help="number of sources")
    args = parser.parse_args(argv)
    if args.claims < 0 or args.sources < 1:
        parser.error("--claims must be at least 0 and --sources at least 1")
    out = args.out or Path(__file__).resolve().parent / "out" / f"{args.claims}-seed{args.seed}"
    generate(args.claims, out, seed=args.seed, sources=args.sources)
    print(f"wrote {args.claims} claims in {args.sources} sources to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
