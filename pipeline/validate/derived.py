"""The dq_ helper columns: values no column holds, derived before Great Expectations sees a table.

Each helper is computed from the table being validated and, for the cross-table ones, from the
other tables of the run (`others`, by table name). A helper is null where its check does not
apply (GE's column expectations skip nulls), so "null" always means "not checked here", never
"bad". Helpers are plain Python over to_pylist(): a run has thousands of missions at most, and
the rules (precision slack, designations) read better as code than as Arrow compute chains.

Precision is the slack of a value: an instant known to the day is stored as that day's midnight
and the true time lies up to one day later; it stands for the interval [utc, end), with end from
pipeline.core.instants.interval_end (calendar-exact: a month is its own length). Checks compare
intervals: a landing is before its launch only when the whole landing interval ends before the
launch starts (a landing "22 May 2021" is not before a launch at 15:26 that day). An instant with
no precision is taken as exact to the second. PRECISION_SECONDS is the longest length of each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from pipeline.core.instants import PRECISION_SPAN, interval_end

if TYPE_CHECKING:
    import pyarrow as pa

PRECISION_SECONDS = {p: int(span.total_seconds()) for p, span in PRECISION_SPAN.items()}
# Units a stated duration may be rounded to, coarsest first (months and years as dates.py counts
# them). The coarsest unit that divides duration_s is taken as its precision: "6 days, 3 hours,
# 42 minutes" is 531720 s, a whole number of minutes, so it is known to the minute.
DURATION_UNITS = (31_557_600, 2_629_746, 86_400, 3_600, 60)
DOCKING_EVENTS = ("docking", "undocking", "berthing", "unberthing")
COSPAR_REGEX = r"^\d{4}-\d{3}[A-Z]{1,3}$"
ORBITS_PER_DAY_LEO = 15.5
ORBITS_TOLERANCE_PERIOD = 0.05   # share of the expected count, plus one orbit
ORBITS_TOLERANCE_LEO = 0.10
_LEO = re.compile(r"\blow[\s-]+earth\b|\bLEO\b", re.I)
# An orbit_reference other than Earth: the period is of a lunar orbit, and the mission duration
# includes the cruise, so orbits and duration cannot be compared.
_NOT_EARTH = re.compile(r"seleno|lunar|moon|helio|sun|areo|mars|venus|jupiter|escape", re.I)
_COSPAR_YEAR = re.compile(r"^(\d{4})-")
# "<word(s)> <letters>-<digits>": "Soyuz MS-24", "Soyuz TMA-20M", "Apollo CSM-107".
# A designation after up to eight capitalised words ("Soyuz MS-25", "Crew Dragon C-206"). The run
# of words is bounded and possessive, so a long run of capitalised words costs linear time.
_DESIGNATION = re.compile(r"\b((?:[A-Z][A-Za-z]++\s++){1,8}+)([A-Z]{1,4})-(\d{1,4}[A-Z]?)(?![\w-])")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u00a0": " ",
                         "\u202f": " "})


@dataclass(frozen=True)
class Derived:
    """A helper column: the columns it reads (reported as the check's columns), the other tables
    it joins (the check is not evaluated without them) and how to compute it."""

    sources: tuple[str, ...]
    compute: Callable[["pa.Table", dict], "pa.Array"]
    tables: tuple[str, ...] = ()
    about: str = ""


def _col(table: "pa.Table", name: str) -> list:
    return table[name].to_pylist() if name in table.column_names else [None] * table.num_rows


def slack(precision: str | None) -> int:
    return PRECISION_SECONDS.get(precision or "second", 1)


def length(t: datetime | None, precision: str | None) -> float:
    """Seconds in the interval an instant stands for (calendar-exact; 1 s when t is None)."""
    if t is None:
        return 1.0
    return (interval_end(t, precision) - t).total_seconds()


def landing_end(table: "pa.Table", others: dict) -> "pa.Array":
    """The end of the landing's interval (landing_utc plus its precision); null without one."""
    import pyarrow as pa
    out = [None if t is None else interval_end(t, p)
           for t, p in zip(_col(table, "landing_utc"), _col(table, "landing_precision"))]
    return pa.array(out, pa.timestamp("us", tz="UTC"))


def duration_unit(seconds: int | None) -> int:
    """The precision (seconds) a stated duration was most likely written to; see DURATION_UNITS."""
    if not seconds:
        return 1
    return next((u for u in DURATION_UNITS if seconds % u == 0), 1)


# --- single-table helpers (Arrow compute, as written first) ---------------------------------------

# Statuses under which an instant is not expected (planned is not actual): its check is skipped.
NOT_EXPECTED = {"launch": ("planned", "cancelled"),
                "landing": ("planned", "cancelled", "in_progress", "failed")}


def time_precision(prefix: str):
    def compute(table: "pa.Table", others: dict) -> "pa.Array":
        import pyarrow as pa
        import pyarrow.compute as pc
        known = pc.is_valid(table[f"{prefix}_utc"])
        precision = pc.fill_null(pc.if_else(known, table[f"{prefix}_precision"], None), "none")
        if "status" not in table.column_names:
            return precision
        skip = pc.fill_null(pc.is_in(table["status"], value_set=pa.array(NOT_EXPECTED[prefix])), False)
        return pc.if_else(pc.and_(skip, pc.invert(known)), pa.scalar(None, pa.string()), precision)
    return compute


def list_length(column: str):
    def compute(table: "pa.Table", others: dict) -> "pa.Array":
        import pyarrow.compute as pc
        return pc.fill_null(pc.list_value_length(table[column]), 0).cast("int64")
    return compute


# --- missions: duration, orbits, COSPAR year, spacecraft --------------------------------------------

def _stated_duration_rows(table: "pa.Table"):
    for dur, src, launch, lp, landing, dp, dprec in zip(
            _col(table, "duration_s"), _col(table, "duration_source"), _col(table, "launch_utc"),
            _col(table, "launch_precision"), _col(table, "landing_utc"), _col(table, "landing_precision"),
            _col(table, "duration_precision")):
        if src != "infobox" or dur is None or launch is None or landing is None:
            yield None
        else:
            yield dur, launch, lp, landing, dp, dprec


def duration_gap(table: "pa.Table", others: dict) -> "pa.Array":
    """|stated duration - (landing - launch)| in seconds, where the duration is stated."""
    import pyarrow as pa
    out = [None if r is None else abs(r[0] - (r[3] - r[1]).total_seconds())
           for r in _stated_duration_rows(table)]
    return pa.array(out, pa.float64())


def duration_tolerance(table: "pa.Table", others: dict) -> "pa.Array":
    """The gap allowed: the longer of the launch and landing intervals plus the duration's own
    unit (its stated precision where duration_precision says it, else the coarsest unit that
    divides it)."""
    import pyarrow as pa
    out = [None if r is None else float(max(length(r[1], r[2]), length(r[3], r[4]))
                                        + (slack(r[5]) if r[5] else duration_unit(r[0])))
           for r in _stated_duration_rows(table)]
    return pa.array(out, pa.float64())


def _orbit_rows(table: "pa.Table"):
    """(expected orbits, share allowed) per row, or None where orbits cannot be checked."""
    for orbits, dur, period, regime, ref in zip(
            _col(table, "orbits_completed"), _col(table, "duration_s"), _col(table, "period_min"),
            _col(table, "orbit_regime"), _col(table, "orbit_reference")):
        if orbits is None or not dur or dur <= 0 or (ref and _NOT_EARTH.search(ref)):
            yield None
        elif period and period > 0:
            yield orbits, dur / 60.0 / period, ORBITS_TOLERANCE_PERIOD
        elif regime and _LEO.search(regime):
            yield orbits, dur / 86_400 * ORBITS_PER_DAY_LEO, ORBITS_TOLERANCE_LEO
        else:
            yield None


def orbits_deviation(table: "pa.Table", others: dict) -> "pa.Array":
    """|orbits_completed - expected|: expected is duration / period, else 15.5 a day in LEO."""
    import pyarrow as pa
    return pa.array([None if r is None else abs(r[0] - r[1]) for r in _orbit_rows(table)], pa.float64())


def orbits_tolerance(table: "pa.Table", others: dict) -> "pa.Array":
    """5 % of the expected count (10 % for the LEO rule of thumb) plus one orbit."""
    import pyarrow as pa
    return pa.array([None if r is None else r[1] * r[2] + 1 for r in _orbit_rows(table)], pa.float64())


def cospar_year_offset(table: "pa.Table", others: dict) -> "pa.Array":
    """COSPAR year minus launch year (UTC), where both are known."""
    import pyarrow as pa
    out = []
    for cospar, launch in zip(_col(table, "cospar_id"), _col(table, "launch_utc")):
        m = _COSPAR_YEAR.match(cospar or "")
        out.append(int(m.group(1)) - launch.year if m and launch is not None else None)
    return pa.array(out, pa.int64())


def designations(text: str | None) -> list[tuple[str, tuple[str, str, str]]]:
    """The "<word(s)> <letters>-<digits>" designations in text: (as written, (series word,
    letters, number) case-folded). The series word is the last word before the letters."""
    out = []
    for m in _DESIGNATION.finditer((text or "").translate(_DASHES)):
        words = m.group(1).split()
        shown = f"{m.group(1).strip()} {m.group(2)}-{m.group(3)}"
        out.append((shown, (words[-1].casefold(), m.group(2).casefold(), m.group(3).casefold())))
    return out


def other_mission_named(spacecraft: str | None, title: str | None) -> str | None:
    """The designation in `spacecraft` that names a sibling mission of `title`, else None.

    Only designations of the title's own series count ("Soyuz MS-24" against "Soyuz MS-25"):
    hardware serials such as "Apollo CSM-107" for Apollo 11 are not missions, and a title with
    no such designation is never compared.
    """
    own = {key for _, key in designations(title)}
    if not own:
        return None
    found = designations(spacecraft)
    if any(key in own for _, key in found):
        return None
    series = {key[:2] for key in own}
    return next((shown for shown, key in found if key[:2] in series), None)


def spacecraft_other_mission(table: "pa.Table", others: dict) -> "pa.Array":
    import pyarrow as pa
    return pa.array([other_mission_named(s, t) for s, t in
                     zip(_col(table, "spacecraft"), _col(table, "title"))], pa.string())


# --- events: docking within the mission -------------------------------------------------------------

def _window_offset(t: datetime, p: str | None, launch, lp, landing, dp) -> float:
    """Seconds by which the interval of t lies wholly outside [launch start, landing end): the
    event's interval ends before the launch's starts, or starts after the landing's ends; 0
    when the intervals can overlap."""
    out = 0.0
    if launch is not None:
        out = max(out, (launch - interval_end(t, p)).total_seconds())
    if landing is not None:
        out = max(out, (t - interval_end(landing, dp)).total_seconds())
    return out


def docking_outside_mission(table: "pa.Table", others: dict) -> "pa.Array":
    """For docking, undocking, berthing and unberthing events: seconds outside the mission's
    [launch_utc, landing_utc] (0 inside); null for other events, undated ones, and events whose
    mission is not in the missions table or has neither launch nor landing."""
    import pyarrow as pa
    missions = others["missions"]
    by_id: dict = {}
    for row in zip(_col(missions, "mission_id"), _col(missions, "launch_utc"),
                   _col(missions, "launch_precision"), _col(missions, "landing_utc"),
                   _col(missions, "landing_precision")):
        by_id.setdefault(row[0], row[1:])
    out = []
    for mid, event, t, p in zip(_col(table, "mission_id"), _col(table, "event"), _col(table, "utc"),
                                _col(table, "precision")):
        m = by_id.get(mid)
        if event not in DOCKING_EVENTS or t is None or m is None or (m[0] is None and m[2] is None):
            out.append(None)
        else:
            out.append(_window_offset(t, p, *m))
    return pa.array(out, pa.float64())


_MISSION_TIMES = ("launch_utc", "launch_precision", "landing_utc", "landing_precision")

DERIVED: dict[str, dict[str, Derived]] = {
    "missions": {
        "dq_launch_time_precision": Derived(
            ("launch_utc", "launch_precision", "status"), time_precision("launch"),
            about="launch_precision where launch_utc is set, else 'none'; null (not checked) for a "
                  "planned or cancelled mission without a launch"),
        "dq_landing_time_precision": Derived(
            ("landing_utc", "landing_precision", "status"), time_precision("landing"),
            about="landing_precision where landing_utc is set, else 'none'; null (not checked) for "
                  "a planned, cancelled, in-progress or failed mission without a landing"),
        "dq_landing_end_utc": Derived(
            ("landing_utc", "landing_precision"), landing_end,
            about="the end of the landing's interval: landing_utc plus one unit of landing_precision "
                  "(a day-precision landing ends at the next midnight); null without a landing"),
        "dq_lost_fields_count": Derived(
            ("lost_fields",), list_length("lost_fields"),
            about="number of entries in lost_fields (0 when null)"),
        "dq_unknown_templates_count": Derived(
            ("unknown_templates",), list_length("unknown_templates"),
            about="number of entries in unknown_templates (0 when null)"),
        "dq_prose_conflicts_count": Derived(
            ("prose_conflicts",), list_length("prose_conflicts"),
            about="number of entries in prose_conflicts (0 when null)"),
        "dq_duration_gap_s": Derived(
            ("duration_s", "duration_source", *_MISSION_TIMES), duration_gap,
            about="|duration_s - (landing_utc - launch_utc)| in seconds where duration_source is "
                  "infobox and both instants are known, else null"),
        "dq_duration_tolerance_s": Derived(
            ("duration_s", "duration_source", *_MISSION_TIMES), duration_tolerance,
            about="the coarser slack of launch and landing precision plus the unit the duration "
                  "is written to (coarsest of year, month, day, hour, minute dividing it), seconds"),
        "dq_orbits_deviation": Derived(
            ("orbits_completed", "duration_s", "period_min", "orbit_regime", "orbit_reference"),
            orbits_deviation,
            about="|orbits_completed - duration_s / period| (or 15.5 orbits a day when no period is "
                  "given and orbit_regime says low Earth orbit); null when not comparable or the "
                  "orbit_reference is not Earth"),
        "dq_orbits_tolerance": Derived(
            ("orbits_completed", "duration_s", "period_min", "orbit_regime", "orbit_reference"),
            orbits_tolerance,
            about="5 % of the expected orbits (10 % for the 15.5-a-day rule) plus one orbit"),
        "dq_cospar_year_offset": Derived(
            ("cospar_id", "launch_utc"), cospar_year_offset,
            about="year of cospar_id minus year of launch_utc, where both are known"),
        "dq_spacecraft_other_mission": Derived(
            ("spacecraft", "title"), spacecraft_other_mission,
            about="a designation in spacecraft of the title's series (<word> <letters>-<digits>) "
                  "naming another mission, e.g. 'Soyuz MS-25' on Soyuz MS-24; else null"),
    },
    "events": {
        "dq_docking_outside_mission_s": Derived(
            ("event", "utc", "precision", "mission_id"), docking_outside_mission,
            tables=("missions",),
            about="for docking/undocking/berthing/unberthing: seconds outside the mission's "
                  "[launch_utc, landing_utc] (joined on mission_id), widened by the coarser "
                  "precision of the two instants; 0 inside; null otherwise or without a missions "
                  "table"),
    },
}
