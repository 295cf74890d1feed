"""The single declaration of the curated tables: names, columns, Arrow types.

The contract (CONTRACT.md / contract.json of the shared folder) fixes the first columns of every
table; the columns marked `# extra` are this project's additions. Changing or dropping a contract
column needs a SCHEMA_VERSION bump and a note in the README.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pyarrow as pa

SCHEMA_VERSION = "1.0"

_S = pa.string()
_I = pa.int64()
_F = pa.float64()
_B = pa.bool_()
_T = pa.timestamp("us", tz="UTC")
_L = pa.list_(pa.string())
_LI = pa.list_(pa.int64())

MISSIONS = pa.schema([
    ("mission_id", _S), ("title", _S), ("source_format", _S), ("source", _S),
    ("page_id", _I), ("rev_id", _I), ("rev_timestamp", _T), ("names_list", _L),
    ("mission_type", _S), ("operator", _S), ("cospar_id", _S), ("satcat", _I),
    ("spacecraft", _S), ("spacecraft_type", _S), ("manufacturer", _S), ("launch_mass_kg", _F),
    ("crew_size", _I), ("crew_callsign", _S),
    ("launch_utc", _T), ("launch_precision", _S), ("launch_source", _S),
    ("launch_rocket", _S), ("launch_site", _S), ("launch_contractor", _S),
    ("landing_utc", _T), ("landing_precision", _S), ("landing_source", _S),
    ("landing_site", _S), ("landing_lat", _F), ("landing_lon", _F),
    ("duration_s", _I), ("orbits_completed", _I), ("orbit_reference", _S), ("orbit_regime", _S),
    ("perigee_km", _F), ("apogee_km", _F), ("inclination_deg", _F), ("period_min", _F),
    ("programme", _S), ("previous_mission", _S), ("next_mission", _S),
    # extra
    ("duration_source", _S),        # infobox (stated) or derived (landing - launch)
    ("landing_mass_kg", _F),
    ("dry_mass_kg", _F),
    ("recovery_by", _S),
    ("eccentricity", _F),
    ("semi_major_axis_km", _F),
    ("orbit_epoch_utc", _T),
    ("distance_travelled_km", _F),
    ("bol_mass_kg", _F),            # beginning-of-life mass
    ("payload_mass_kg", _F),
    ("crew_evas", _I),
    ("crew_eva_duration_s", _I),
    ("deployment_utc", _T),
    ("decay_utc", _T),
    ("last_contact_utc", _T),
    ("disposal_type", _S),
    ("harvard_designation", _S),
    ("raan_deg", _F),               # right ascension of the ascending node
    ("arg_periapsis_deg", _F),
    ("crewed", _B),                 # the infobox lists crew or a crew size above zero
    ("has_landing", _B),            # the infobox declares a landing (date, site or landing crew)
    ("crew_launch_count", _I),      # persons listed on the launch leg (crew table)
    ("crew_landing_count", _I),     # persons listed on the landing leg
    ("lost_fields", _L),            # parameters whose value the renderer lost ("UTC", "()")
    ("unknown_templates", _L),      # templates without a renderer found in mapped fields
    ("prose_conflicts", _L),        # infobox vs prose disagreements beyond both precisions
    # planned is not actual (transform/status.py)
    ("status", _S),                 # planned, in_progress, completed, failed, cancelled, launched
    ("status_evidence", _S),        # the parameter and text that decided the status
    ("launch_planned_utc", _T),     # a launch the source marks planned/NET or dates after its revision
    ("launch_planned_precision", _S),
    ("landing_planned_utc", _T),
    ("landing_planned_precision", _S),
    ("duration_planned_s", _I),     # "240 days (planned)"
    ("duration_precision", _S),     # the unit a stated duration is written to; the coarser of
                                    # launch and landing precision for a derived one
    ("duration_tolerance_s", _I),   # the true duration lies within duration_s +- this
    ("crew_assigned", _L),          # crew listed for a mission that has not flown (no crew rows)
    ("planned_fields", _L),         # columns whose source value is planned or still running
                                    # ("(planned)", "NET", "(in progress)"): null here, in facts
    # lists stay lists: every item, in order (the contract column keeps the first)
    ("mission_types", _L),
    ("operators", _L),              # canonical organisation names (core/organisations.toml)
    ("manufacturers", _L),          # canonical organisation names
    ("launch_contractors", _L),     # canonical organisation names
    ("spacecraft_list", _L),        # e.g. ["Apollo CSM-109", "Apollo LM-7"]
    ("cospar_ids", _L),             # one per component, e.g. CSM and LM
    ("satcats", _LI),
    ("crew_callsigns", _L),         # e.g. ["Odyssey", "Aquarius"] (labels CSM:/LM: in facts)
    ("run_id", _S), ("schema_version", _S),
])

CREW = pa.schema([
    ("mission_id", _S), ("leg", _S), ("seat", _I), ("person", _S), ("person_key", _S),
    ("role", _S), ("source", _S),
    ("nationality", _S),            # extra: from {{flagicon}} where given
    ("group", _S),                  # extra: the label the box lists the person under ("Vostok 3")
    ("run_id", _S), ("schema_version", _S),
])

EVENTS = pa.schema([
    ("mission_id", _S), ("event", _S), ("utc", _T), ("precision", _S), ("outcome", _S),
    ("source", _S), ("evidence", _S),
    ("detail", _S),                 # extra: docking target/port, scrub reason, record text
    ("person_key", _S),             # extra: the person an event is about, where it is one
    ("run_id", _S), ("schema_version", _S),
])

FACTS = pa.schema([
    ("mission_id", _S), ("field", _S), ("raw", _S), ("value", _S), ("unit", _S),
    ("source", _S), ("location", _S), ("rev_id", _I),
    ("run_id", _S), ("schema_version", _S),
])

INFOBOX_PARAMS = pa.schema([
    ("source", _S), ("title", _S), ("infobox", _I), ("template", _S), ("param", _S),
    ("raw", _S), ("text", _S),
    ("parent", _I),                 # extra: index of the enclosing infobox for nested boxes
    ("run_id", _S), ("schema_version", _S),
])

INPUTS = pa.schema([
    ("source", _S), ("format", _S), ("outcome", _S), ("missions", _I), ("reason", _S),
    ("title", _S),                  # extra
    ("sha256", _S),                 # extra: content hash of the input
    ("rev_id", _I),                 # extra
    ("run_id", _S), ("schema_version", _S),
])

# extra table: launch vehicles, from {{Infobox rocket}} (mappings/rocket.toml)
ROCKETS = pa.schema([
    ("rocket_id", _S), ("title", _S), ("source_format", _S), ("source", _S),
    ("page_id", _I), ("rev_id", _I), ("rev_timestamp", _T),
    ("function", _S), ("manufacturer", _S), ("country_origin", _S),
    ("height_m", _F), ("diameter_m", _F), ("mass_kg", _F), ("stages", _I), ("leo_payload_kg", _F),
    ("status", _S), ("launch_sites", _L), ("total_launches", _I), ("successes", _I),
    ("failures", _I), ("partial_failures", _I),
    ("first_flight_utc", _T), ("first_flight_precision", _S),
    ("last_flight_utc", _T), ("last_flight_precision", _S),
    ("family", _S), ("derivatives", _L),
    ("lost_fields", _L), ("unknown_templates", _L),
    ("run_id", _S), ("schema_version", _S),
])

# extra table: data problems found while transforming (stable codes), one row per problem
ISSUES = pa.schema([
    ("mission_id", _S),             # null for rows of other tables (see `table`, `row_key`)
    ("table", _S), ("row_key", _S), ("source", _S), ("code", _S), ("field", _S), ("message", _S),
    ("run_id", _S), ("schema_version", _S),
])

QUARANTINE = pa.schema([
    ("source", _S), ("stage", _S), ("reason", _S), ("excerpt", _S), ("row", _S),
    ("title", _S),                  # extra
    ("run_id", _S), ("schema_version", _S),
])

TABLES: dict[str, pa.Schema] = {
    "missions": MISSIONS,
    "crew": CREW,
    "events": EVENTS,
    "facts": FACTS,
    "infobox_params": INFOBOX_PARAMS,
    "inputs": INPUTS,
    "quarantine": QUARANTINE,
    "issues": ISSUES,
    "rockets": ROCKETS,
}

# How each table's rows are ordered on disk, so that the same input gives the same file contents.
SORT_KEYS: dict[str, list[str]] = {
    "missions": ["mission_id"],
    "crew": ["mission_id", "leg", "seat"],
    "events": ["mission_id", "utc", "event", "evidence"],
    "facts": ["mission_id", "field", "location", "raw"],
    "infobox_params": ["source", "infobox", "param"],
    "inputs": ["source"],
    "quarantine": ["source", "stage", "reason"],
    "issues": ["source", "table", "row_key", "code", "field", "message"],
    "rockets": ["rocket_id", "source"],
}


def to_table(name: str, rows: list[dict], run_id: str, sort: bool = True) -> pa.Table:
    """Build the Arrow table `name` from row dicts: missing keys become null, extra keys are an
    error (a typo must not silently drop a column). Rows are ordered by SORT_KEYS unless `sort`
    is False (pipeline.parts sorts them in Arrow with a column of its own)."""
    schema = TABLES[name]
    known = set(schema.names)
    for row in rows:
        if not known.issuperset(row):
            raise KeyError(f"{name}: unknown columns {sorted(set(row) - known)}")
    if sort:
        key = SORT_KEYS[name]
        rows = sorted(rows, key=lambda r: tuple(_sortable(r.get(k)) for k in key))
    columns = {}
    for column in schema.names:   # (a pyarrow Field's .name makes a new str at every call)
        if column == "run_id":
            columns[column] = [run_id] * len(rows)
        elif column == "schema_version":
            columns[column] = [SCHEMA_VERSION] * len(rows)
        else:
            columns[column] = [r.get(column) for r in rows]
    try:
        return pa.table(columns, schema=schema)
    except UnicodeEncodeError:  # a lone surrogate made inside a stage (a decoded &#xD800;)
        return pa.table({k: [_no_surrogates(v) for v in col] for k, col in columns.items()}, schema=schema)


def _no_surrogates(value):
    """The exit guard: text that UTF-8 cannot hold (lone surrogates) gets U+FFFD in their place.
    Inputs are cleaned where they enter (pipeline.core.untrusted); this catches text that a stage
    decodes later, such as an HTML entity for a surrogate code point."""
    if isinstance(value, str) and not value.isascii():
        # UTF-16 pairs what can be paired (an editor's &#xD83D;&#xDE80; is the rocket it meant)
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    return value


def _sortable(v):
    # None sorts first; mixed types never meet within one column.
    return (0, "") if v is None else (1, v)


# What a column's value must be for Arrow to take it without a question: None, or
# - a str for a string column (lone surrogates too: to_table replaces them),
# - an int in range for int64, a float for float64 (NaN and infinities included; an int there
#   must be exact as a double: Arrow's check, so an int is not sure),
# - a bool for bool (an int is refused by Arrow),
# - a datetime for a timestamp, naive or with a fixed offset (datetime.timezone: utcoffset()
#   cannot fail; every such instant of years 1-9999 fits int64 microseconds),
# - a list of str (or None) for list<string>, a list of ints in range (or None) for list<int64>.
# Types are compared exactly (a bool is not an int here, a str subclass is not a str). Columns of
# other types, and values of other types, are checked by building the table.
_INT64 = (-2**63, 2**63 - 1)


def _sure_int(value: int) -> bool:
    return _INT64[0] <= value <= _INT64[1]


def _sure_instant(value: datetime) -> bool:
    tz = value.tzinfo
    return tz is None or type(tz) is timezone


def _sure_strings(value: list) -> bool:
    for v in value:
        if type(v) is not str and v is not None:
            return False
    return True


def _sure_ints(value: list) -> bool:
    lo, hi = _INT64
    for v in value:
        if v is not None and (type(v) is not int or not lo <= v <= hi):
            return False
    return True


# Arrow type -> (the exact Python type of a value it surely takes, a further check or None)
_SURE = {_S: (str, None), _I: (int, _sure_int), _F: (float, None), _B: (bool, None),
         _T: (datetime, _sure_instant), _L: (list, _sure_strings), _LI: (list, _sure_ints)}


def _kinds(name: str) -> tuple[dict, dict]:
    """(column -> the exact type of a sure value, column -> its further check) of table `name`
    (a column of a type without a sure kind maps to None: every value is built to know)."""
    found = _KINDS.get(name)
    if found is None:
        types, checks = {}, {}
        for f in TABLES[name]:
            kind, check = _SURE.get(f.type, (None, None))
            types[f.name] = kind
            if check is not None:
                checks[f.name] = check
        found = _KINDS[name] = (types, checks)
    return found


def _plainly_fits(name: str, rows: list[dict]) -> bool:
    """True when every row of `name` has only known columns and values that to_table takes as
    they are (see _SURE); False says only "build the table to know".
    tests/test_schema.py checks it against to_table value by value."""
    types, checks = _kinds(name)
    for row in rows:
        for key, value in row.items():
            if value is None:
                if key not in types:
                    return False
                continue
            kind = types.get(key)
            if type(value) is not kind:
                return False
            if kind is not str:
                check = checks.get(key)
                if check is not None and not check(value):
                    return False
    return True


_KINDS: dict[str, tuple[dict, dict]] = {}


def check_rows(name: str, rows: list[dict]) -> None:
    """Raise ValueError naming the table, the column and the value when rows do not fit the
    Arrow types of table `name` (what to_table would fail on); nothing when they do. Rows of
    plain values (most pages' inputs and infobox_params rows) are checked without Arrow."""
    if _plainly_fits(name, rows):
        return
    try:
        to_table(name, rows, "")
    except KeyError as e:
        raise ValueError(str(e.args[0]) if e.args else str(e)) from None
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
        for f in TABLES[name]:
            for r in rows:
                try:
                    pa.array([r.get(f.name)], f.type)
                except (pa.ArrowException, TypeError, ValueError, OverflowError):
                    raise ValueError(f"{name}.{f.name} cannot hold {r.get(f.name)!r:.80} "
                                     f"({f.type})") from None
        raise ValueError(f"{name}: {e}") from None
