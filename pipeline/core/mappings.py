"""The declarative infobox mappings (pipeline/mappings/*.toml: parameter -> column, parser,
unit), loaded once, and the template aliases they declare.

Adding an infobox type is a new `<type>.toml` in pipeline/mappings/ plus its table in schema.py
and tests; the code that applies a mapping (transform/mapper.py) is the same for every type.
The aliases of every mapping (the redirects of its template on en.wikipedia.org) are the one
list of template aliases: canonical_name() maps an alias, and a sub-template of an alias
(``Infobox manned spaceflight/Dock``), to the template it stands for.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from pipeline.core.mediawiki import normalize_name

PARSERS = {"text", "first", "list", "int", "number", "quantity", "instant", "duration", "cospar",
           "place"}


normalise_template = normalize_name  # the one rule, pipeline.core.mediawiki


@dataclass(frozen=True)
class Column:
    name: str
    params: tuple[str, ...]
    parser: str
    unit: str | None = None
    all: str | None = None          # list column holding every item, in order ("mission_types")
    organisation: bool = False      # items are organisations: canonical names in `all`


@dataclass(frozen=True)
class Mapping:
    template: str
    table: str
    columns: tuple[Column, ...]
    key: str = "mission_id"
    aliases: frozenset[str] = frozenset()
    signature: tuple[str, ...] = ()
    ignore: frozenset[str] = frozenset()
    crew: dict = field(default_factory=dict)
    events: tuple[dict, ...] = ()
    nested: dict = field(default_factory=dict)
    html: dict = field(default_factory=dict)   # how MediaWiki's HTML shows the box (labels, footer)

    def matches(self, template: str) -> bool:
        t = normalise_template(template).casefold()
        return t == self.template.casefold() or t in {a.casefold() for a in self.aliases}

    def params(self) -> set[str]:
        names = {p for c in self.columns for p in c.params}
        for leg in ("launch", "landing", "both"):
            names.update(self.crew.get(leg, ()))
        return names


def _load(name: str, data: dict) -> Mapping:
    columns = []
    for col, spec in data.get("columns", {}).items():
        parser = spec.get("parser", "text")
        if parser not in PARSERS:
            raise ValueError(f"mapping {name}: column {col} has unknown parser {parser!r}")
        if parser == "quantity" and not spec.get("unit"):
            raise ValueError(f"mapping {name}: quantity column {col} needs a unit")
        columns.append(Column(col, tuple(spec["params"]), parser, spec.get("unit"),
                              spec.get("all"), bool(spec.get("organisation", False))))
    return Mapping(
        template=normalise_template(data["template"]), table=data["table"], columns=tuple(columns),
        key=data.get("key", "mission_id"),
        aliases=frozenset(normalise_template(a) for a in data.get("aliases", ())),
        signature=tuple(data.get("signature", ())), ignore=frozenset(data.get("ignore", ())),
        crew=data.get("crew", {}), events=tuple(data.get("events", ())),
        nested={normalise_template(k): v for k, v in data.get("nested", {}).items()},
        html=data.get("html", {}))


@lru_cache(maxsize=1)
def load_mappings() -> tuple[Mapping, ...]:
    """Every mapping shipped in this package, loaded once per process."""
    found = []
    for entry in sorted(resources.files("pipeline.mappings").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(_load(entry.name, tomllib.loads(entry.read_text(encoding="utf-8"))))
    return tuple(found)


def mapping_for(template: str) -> Mapping | None:
    for m in load_mappings():
        if m.matches(template):
            return m
    return None


def guess_mapping(param_names: set[str], minimum: int = 3) -> Mapping | None:
    """For rendered text, which names no template: the mapping whose signature parameters the
    page has most of (at least `minimum`), else None."""
    best, best_hits = None, 0
    for m in load_mappings():
        hits = len(param_names & set(m.signature))
        if hits > best_hits:
            best, best_hits = m, hits
    return best if best_hits >= minimum else None


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Every alias a mapping declares -> its template (normalised names)."""
    return {alias: m.template for m in load_mappings() for alias in m.aliases}


@lru_cache(maxsize=8192)
def canonical_name(name: str) -> str:
    """normalize_name plus the mappings' aliases; a sub-template of an alias
    (``Infobox space mission/IP``) maps to the same sub-template of the target."""
    norm = normalize_name(name)
    table = aliases()
    if norm in table:
        return table[norm]
    base, sep, rest = norm.partition("/")
    if sep and base in table:
        return table[base] + "/" + rest
    return norm


def names_of(template: str) -> tuple[str, ...]:
    """A mapped template's name followed by its aliases (for prefilters)."""
    return (template,) + tuple(sorted(a for a, t in aliases().items() if t == template))
