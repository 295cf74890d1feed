"""Declarative infobox mappings: one TOML file per infobox type (parameter -> column, parser, unit).

Adding an infobox type is a new `<type>.toml` here plus its table in schema.py and tests; the
code that applies a mapping (transform/mapper.py) is the same for every type.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

PARSERS = {"text", "first", "list", "int", "number", "quantity", "instant", "duration", "cospar",
           "place"}


def normalise_template(name: str) -> str:
    """MediaWiki's template-name rules: 'Template:' prefix, surrounding whitespace and '_' vs
    space do not matter, nor does the case of the first letter."""
    name = name.replace("_", " ").strip()
    if name.lower().startswith("template:"):
        name = name[9:].strip()
    name = " ".join(name.split())
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Column:
    name: str
    params: tuple[str, ...]
    parser: str
    unit: str | None = None


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
        columns.append(Column(col, tuple(spec["params"]), parser, spec.get("unit")))
    return Mapping(
        template=normalise_template(data["template"]), table=data["table"], columns=tuple(columns),
        key=data.get("key", "mission_id"),
        aliases=frozenset(normalise_template(a) for a in data.get("aliases", ())),
        signature=tuple(data.get("signature", ())), ignore=frozenset(data.get("ignore", ())),
        crew=data.get("crew", {}), events=tuple(data.get("events", ())),
        nested={normalise_template(k): v for k, v in data.get("nested", {}).items()})


@lru_cache(maxsize=1)
def load_mappings() -> tuple[Mapping, ...]:
    """Every mapping shipped in this package, loaded once per process."""
    found = []
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
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
