"""Commands that set sources against each other: compare, conflicts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from stemcli.cli.env import (
    command,
    dataset,
    emit,
    note,
    resolve,
    save,
    write_stdout,
)
from stemcli.cli.options import (
    RANKED_LIMIT,
    Force,
    Format,
    Kind,
    Limit,
    ListingFormat,
    OptionalConditionArg,
    OutcomeOpt,
    Output,
    RankedLimit,
    Raw,
    Stage,
    completes,
    output_path,
)
from stemcli.errors import ExitCode


@command()
def compare(
    condition: OptionalConditionArg = None,
    *,
    stage: Stage = None,
    sources: Annotated[
        str | None,
        typer.Option(
            "--sources",
            help="Only these sources, as columns in this order (comma-separated ids).",
            metavar="SOURCE,...",
            autocompletion=completes("source_list"),
        ),
    ] = None,
    outcome: OutcomeOpt = None,
    chart: Annotated[
        bool, typer.Option("--chart", help="Draw each row as a range chart instead of a table.")
    ] = False,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace existing --output, --svg or --html files.")
    ] = False,
    raw: Raw = False,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg",
            help="Also save the range chart as an SVG figure.",
            parser=output_path,
            metavar="FILE",
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also save the range chart as an HTML page.",
            parser=output_path,
            metavar="FILE",
        ),
    ] = None,
    limit: Limit = None,
) -> None:
    """The sources side by side: a row per stage, outcome and measure.

    A value is marked ≠ when another source states values in its row and none of them
    overlaps it. Claims that are not stage-specific hold for every stage: they join the
    rows of the stages others name, or get an "any" row when nothing is stage-specific.

    A table compares at most 8 sources, those with the most claims here (--sources names
    others), and a cell of more than 9 values shows its 4 lowest and 4 highest, as
    --chart does; --limit 0 shows everything, and JSON and CSV always do.

    Examples:

    \b
      stemcli compare knee-oa --stage middle --chart
      stemcli compare knee-oa --sources stemmedicare,bookimed --outcome pain
      stemcli compare rotator-cuff --chart --svg rotator-cuff.svg
    """
    from stemcli.errors import UsageError
    from stemcli.ops.compare import compare as run
    from stemcli.ops.compare import parse_sources
    from stemcli.reports.compare import compare_report

    if stage is not None and condition is None:
        raise UsageError(
            "--stage needs a CONDITION", hint="e.g. stemcli compare knee-oa --stage middle"
        )
    recorded = [p for p in (svg, html) if p is not None]
    if (chart or recorded) and format is not ListingFormat.table:
        raise UsageError("--chart, --svg and --html go with --format table")
    from stemcli.cli.options import is_stdout

    files = [p for p in (output, *recorded) if p is not None]
    for p in files:
        if not is_stdout(p):
            from stemcli.cli.atomic import check_target

            check_target(p, force=force)
    if len({p.absolute() for p in files}) < len(files):
        raise UsageError("--output, --svg and --html need different files")
    ds = dataset()
    cond, stage_id = resolve(condition, stage) if condition is not None else (None, stage)
    from dataclasses import replace

    from stemcli.cli.listing import (
        CELL_VALUES,
        HUMAN_FORMATS,
        TABLE_SOURCES,
        first,
        left_out,
        row_limit,
    )

    shown = row_limit(limit, format)
    # a table a person reads compares the sources with the most claims, and shows the
    # lowest and highest of a cell's many values; --limit 0 and the data formats show all
    bounded = limit != 0 and format.value in HUMAN_FORMATS
    outcome_id = None
    if outcome is not None:
        from stemcli.ops.resolve import resolve_outcome

        outcome_id = resolve_outcome(ds, outcome)
    result = run(
        ds,
        cond,
        stage=stage_id,
        outcome=outcome_id,
        sources=parse_sources(ds, sources) if sources is not None else None,
        # the figures draw every row; a listing builds only the rows it shows
        limit=None if recorded else shown,
        max_sources=TABLE_SOURCES if bounded else None,
    )
    total = len(result.rows) if result.total is None else result.total
    rows, _ = first(result.rows, shown)
    report = compare_report(
        ds,
        replace(result, rows=tuple(rows)),
        chart=chart,
        only=format.value,
        cell_values=CELL_VALUES if bounded else None,
    )

    def notes() -> None:
        left_out(len(rows), total, "rows")
        if result.source_total is not None:
            from stemcli.cli.env import note

            n, k = len(result.sources), result.source_total
            note(
                f"comparing the {n} of {k:,} sources with the most claims here "
                f"({k - n:,} left out); --sources picks them, --limit 0 compares all",
                style="dim",
            )

    if not recorded:
        emit(report, format, output, force, raw)
        notes()
        return
    from stemcli.render import figure as fig
    from stemcli.render import get_renderer
    from stemcli.render.recorder import as_text
    from stemcli.reports.compare import compare_figure

    rendered = get_renderer(format.value)(report)
    figure = compare_figure(ds, result, date=_dataset_date())
    # every file written (all or none) before the table is shown
    to_stdout = output is None or is_stdout(output)
    saved = [] if to_stdout or output is None else [(output, as_text(rendered))]
    if svg is not None:
        saved.append((svg, fig.svg(figure)))
    if html is not None:
        saved.append((html, fig.html(figure)))
    if not save(saved, force) and to_stdout:  # --svg - or --html - take stdout instead
        write_stdout(rendered)
    notes()


def _dataset_date() -> str | None:
    """The date of the dataset: the newest modification (UTC day) among the files that
    hold its sources and claims (vocabularies such as outcomes.yaml belong to the program)."""
    from datetime import datetime, timezone

    from stemcli.cli.env import state
    from stemcli.dataset.find import data_paths, find_files

    st = state()
    times = []
    for f in find_files(data_paths(st.data), bundled=st.bundled):
        if f.role not in ("sources", "claims"):
            continue
        try:
            times.append(f.path.stat().st_mtime)
        except OSError:
            continue
    if not times:
        return None
    return datetime.fromtimestamp(max(times), timezone.utc).date().isoformat()


@command()
def conflicts(
    condition: OptionalConditionArg = None,
    *,
    stage: Stage = None,
    kind: Kind = None,
    internal: Annotated[
        bool, typer.Option("--internal", help="Only pairs of claims from one source.")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Only pairs involving this SOURCE (id).",
            metavar="SOURCE",
            autocompletion=completes("sources"),
        ),
    ] = None,
    min_gap: Annotated[
        float,
        typer.Option(
            "--min-gap",
            min=0,
            metavar="GAP",
            help="Only gaps of at least GAP, in the pair's unit (percentage points, days, $).",
        ),
    ] = 0.0,
    limit: RankedLimit = RANKED_LIMIT,
    count: Annotated[
        bool, typer.Option("--count", help="Print only the number of findings per kind.")
    ] = False,
    fail_on_conflict: Annotated[
        bool,
        typer.Option(
            "--fail-on-conflict",
            help="Exit 1 when the selection has a finding of --kind "
            "(default: a contradiction or an arithmetic finding).",
        ),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            min=0,
            max=100,
            metavar="PERCENT",
            help="'about' means ± PERCENT percent.",
        ),
    ] = 5.0,
    explain: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--explain",
            metavar="CLAIM CLAIM",
            help="Tell whether two claims (ids or handles, or prefixes of one each) are set "
            "against each other, the verdict, and why.",
            autocompletion=completes("claims"),
        ),
    ] = None,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Annotated[bool, typer.Option("--full", help="Add every quote, in full.")] = False,
) -> None:
    """Numbers that disagree: contradictions, arithmetic, tensions.

    A statement is what one source says once or more (the same value for the same
    question). Two are compared when they share condition, a stage, related outcomes (for
    times: the same outcome), unit, comparator, intervention and patient group, and their
    timepoints overlap. Values that cannot both be true are a contradiction (the same
    quantity) or a tension (related quantities far apart, or a single case report). A
    figure that restates others (derived) and disagrees with them is arithmetic.

    Examples:

    \b
      stemcli conflicts knee-oa --kind contradiction
      stemcli conflicts --count
      stemcli conflicts --fail-on-conflict --format json --output conflicts.json
    """
    from stemcli.errors import UsageError
    from stemcli.ops import conflicts as ops
    from stemcli.reports.conflicts import (
        conflict_list_report,
        counts_report,
        explanation_report,
    )

    ds = dataset()
    if explain is not None:
        given = [
            name
            for name, on in (
                ("CONDITION", condition is not None),
                ("--stage", stage is not None),
                ("--kind", kind is not None),
                ("--internal", internal),
                ("--source", source is not None),
                ("--min-gap", min_gap != 0),
                ("--count", count),
                ("--fail-on-conflict", fail_on_conflict),
            )
            if on
        ]
        if given:
            raise UsageError(f"--explain takes two claim ids, not {', '.join(given)}")
        if explain[0] == explain[1]:
            raise UsageError("--explain needs two different claims")
        from stemcli.ops.resolve import resolve_claim

        a, b = (resolve_claim(ds, typed).id for typed in explain)
        if a == b:
            raise UsageError("--explain needs two different claims")
        result = ops.explain(ds, a, b, tolerance=tolerance / 100)
        emit(explanation_report(ds, result, full=full), format, output, force, raw)
        return
    if condition is None and stage is not None:
        raise UsageError(
            "--stage needs a CONDITION", hint="stemcli conflicts knee-oa --stage middle"
        )
    # the option's enum has refused any other spelling; the operation takes its own type
    conflict_kind = next((k for k in ops.KINDS if kind is not None and k == kind.value), None)
    cond, stage_id = resolve(condition, stage) if condition is not None else (None, None)
    source_id = None
    if source is not None:
        from stemcli.ops.resolve import resolve_source

        source_id = resolve_source(ds, source)
    sel = ops.Selection(
        condition=cond.id if cond is not None else None,
        stage=stage_id,
        kind=conflict_kind,
        internal=internal,
        source=source_id,
        min_gap=min_gap,
        tolerance=tolerance / 100,
    )
    if count:
        counts = ops.count_conflicts(ds, sel)
        emit(counts_report(counts, kind=sel.kind), format, output, force, raw)
    else:
        try:
            listing = ops.find_conflicts(ds, sel, limit=limit or sys.maxsize)
        except ops.ListingTooLarge as e:
            raise UsageError(
                f"--limit would list {e.wanted:,} of {e.total:,} findings; "
                f"at most {ops.MAX_LISTED:,} are listed at once",
                hint="--count gives the numbers; a CONDITION, --kind, --source or --min-gap "
                f"narrows the selection; --limit {ops.MAX_LISTED} lists the most severe",
            ) from None
        counts = listing.counts
        title = None
        if cond is not None:
            title = f"Conflicts: {cond.name}" + (f", stage {stage_id}" if stage_id else "")
        report = conflict_list_report(
            ds, listing, full=full, with_condition=cond is None, title=title
        )
        emit(report, format, output, force, raw)
        from stemcli.cli.listing import left_out

        n = len(listing.conflicts)
        left_out(n, listing.total, "findings", shown_as=f"the {n} most severe")
    failing = counts.failing(sel.kind)
    if fail_on_conflict and failing:
        from stemcli.numbers import plural

        kinds = sel.kind or " or ".join(ops.FAILING)
        note(f"{plural(failing, 'finding')} of kind {kinds}", style="red")
        raise typer.Exit(int(ExitCode.FINDINGS))
