"""Plain typed records that the stages hand to each other.

sources -> RawInput; extract -> Page (infoboxes with Values, prose Sections); transform -> rows
(dicts keyed by the column names in schema.py). Nothing here does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RawInput:
    """One input as read from raw/, a dump or the API, before any parsing.

    `source` is what the tables call the input: a path relative to raw/, `dump.xml.bz2#page=662`,
    or an API URL. `fmt` is the detected content format: `text` (rendered plain text like the
    seed) or `wikitext`. `source_format` is the contract's value: `text`, `wikitext`, `api`, `dump`.
    """

    source: str
    fmt: str
    content: str
    source_format: str
    title: str | None = None
    page_id: int | None = None
    rev_id: int | None = None
    rev_timestamp: datetime | None = None
    sha256: str | None = None   # of the text as read, before pipeline.core.untrusted cleaned it
    # False: `content` is the text as read, not yet cleaned (and sha256 None: its hash is of
    # content); whoever processes the input cleans it (pipeline.run.process, in the worker), so
    # a dump reader's driver does not spend its time there.
    cleaned: bool = True

    # Pickled with its text as UTF-8 bytes, decoded only where `content` is read: a process that
    # only relays inputs (a run's driver, between the dump's readers and the page workers)
    # neither decodes nor encodes their text, the bulk of what it relays.
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        if "content" in state:
            state[_UTF8] = state.pop("content").encode("utf-8", "surrogatepass")
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str):   # only for what is not set: `content` until decoded
        utf8 = self.__dict__.get(_UTF8) if name == "content" else None
        if utf8 is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        text = utf8.decode("utf-8", "surrogatepass")   # (a lone surrogate comes back as it went)
        self.__dict__["content"] = text
        self.__dict__.pop(_UTF8, None)
        return text


_UTF8 = "_content_utf8"   # a pickled RawInput's text, until read


@dataclass
class Citation:
    """A `<ref>` (or sfn) removed from a value, kept for provenance."""

    name: str | None = None
    url: str | None = None
    title: str | None = None
    date: str | None = None
    text: str = ""


@dataclass
class Quantity:
    """A number with a unit as the source states it (e.g. from `{{convert}}`)."""

    value: float
    unit: str
    converted_value: float | None = None
    converted_unit: str | None = None


@dataclass
class Value:
    """One parameter of one infobox, as extracted.

    raw   -- the source text as found (wikitext or rendered text), comments included
    text  -- what a reader sees, on one line: links become labels; refs, comments, files and
             `{{Coord}}` removed; entities decoded; non-breaking spaces and hyphens made plain
    items -- the value split into list items (`<br>`, ubl/plainlist/flatlist/hlist, bullets);
             `[text]` when the value is not a list, `[]` when it is empty
    links -- (label, target) of each wikilink, in order
    coords -- (lat, lon) in decimal degrees from `{{Coord}}`, if any
    quantities -- numbers with units from `{{convert}}`/`{{cvt}}`
    citations -- refs removed from the value
    unknown_templates -- names of templates in the value that have no renderer
    lost  -- the value looks like rendering residue (a bare "UTC", "()", "frameless|100px")
    notes -- how the reader read the value where it had to decide (a joined list taken apart:
             on what evidence), for provenance
    instants -- ISO 8601 stamps the source states exactly (the hidden stamps of date templates in
             MediaWiki's HTML), in order; [] when it states none
    """

    param: str
    raw: str
    text: str
    items: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    coords: tuple[float, float] | None = None
    quantities: list[Quantity] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    unknown_templates: list[str] = field(default_factory=list)
    lost: bool = False
    notes: list[str] = field(default_factory=list)
    instants: list[str] = field(default_factory=list)


@dataclass
class Infobox:
    """One infobox (or infobox-like sub-template) on a page.

    `template` is the normalised template name (first letter upper case, `_` as space, trimmed).
    `params` maps the normalised parameter name to its Value; the last duplicate wins.
    Nested boxes (`{{Infobox spaceflight/Dock}}` inside `| docking =`) are separate Infobox
    records with `parent` = index of the enclosing box and `parent_param` = its parameter.
    """

    index: int
    template: str
    params: dict[str, Value] = field(default_factory=dict)
    parent: int | None = None
    parent_param: str | None = None


@dataclass
class Section:
    """A prose section as plain text (sentence boundaries kept). The lead has heading ''."""

    heading: str
    level: int
    text: str


@dataclass
class Page:
    """An article after extraction: every infobox and the prose."""

    source: str
    source_format: str
    fmt: str
    title: str | None
    infoboxes: list[Infobox] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    page_id: int | None = None
    rev_id: int | None = None
    rev_timestamp: datetime | None = None
    redirect: str | None = None


@dataclass
class Issue:
    """A data problem with a stable code, raised while transforming (never an exception)."""

    code: str
    field: str
    message: str
    mission_id: str | None = None


@dataclass
class RunSummary:
    """What one run did, as the CLI prints it and dq.json keeps it ("run"): inputs by outcome,
    missions curated, checks failed by severity, issues by code, what was quarantined, whether
    the snapshot was published, and the seconds each stage took."""

    run_id: str
    inputs_read: int
    missions_curated: int
    inputs_curated: int
    inputs_no_mission: int
    inputs_quarantined: int
    inputs_reused: int
    expectations_failed: dict[str, int]          # severity -> failed checks
    issues: dict[str, int]                       # issue code -> count
    values_lost_by_param: dict[str, int]
    unknown_templates: dict[str, int]            # parameter -> values with an unknown template
    issue_list: list[dict]
    quarantine: list[dict]                       # source, stage, reason
    out_dir: str
    published: bool = False
    timings_s: dict[str, float] = field(default_factory=dict)
    driver_cpu_s: dict[str, float] = field(default_factory=dict)   # the driver's own CPU per stage
    report: dict[str, str] = field(default_factory=dict)   # the report's files, once written
    # What is new or worse than the last published run, once the report is written (dq.json's
    # "changes"): {"against": run_id | None, "items": [{"kind", "name", "severity", "why", ...}]}
    changes: dict = field(default_factory=dict)
    reports_pruned: int = 0                      # old report folders removed (--keep-reports)

    def to_dict(self) -> dict:
        """The summary as dq.json's "run" (every field but the report's own paths and the
        changes, which dq.json keeps at the top level)."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__
               if name not in ("report", "changes")}
        out["timings_s"] = dict(self.timings_s)
        out["driver_cpu_s"] = dict(self.driver_cpu_s)
        return out
