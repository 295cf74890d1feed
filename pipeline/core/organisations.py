"""Organisations as one thing each: the canonical name of an operator, manufacturer or
contractor across spellings and forms, from the table in organisations.toml (its header says
where the facts come from and which forms count as one organisation).

A value may name several organisations ("[[US Air Force]]/[[NASA]]", "[[NASA]] and
[[German Aerospace Center|DLR]]", "{{hlist|[[Axiom Space]]|[[SpaceX]]}}"); it is split only
where every part is a known organisation or a link label, so "Boeing Defense, Space & Security"
stays one. For each part the wikilink decides where the table does not know the label: the
link target (without its disambiguator) is the name ("[[Vast (company)|Vast]]" -> "Vast").

Error policy: bad data is data. Nothing raises on text; an empty part is dropped.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources

_DISAMBIGUATOR = re.compile(r"\s*\([^()]*\)\s*$")
_SEPARATORS = re.compile(r"\s*(?:/|,|;|&|\band\b|\bor\b)\s*", re.I)
# "Experimental Design Bureau (OKB-1)": a name with its short form in brackets.
_BRACKETED = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")
_FOLD_DROP = re.compile(r"[.\-‐‑–—'’]")


def fold(name: str) -> str:
    """Matching form: case and diacritics off, dots, hyphens and apostrophes dropped."""
    name = unicodedata.normalize("NFKD", name if isinstance(name, str) else "")
    name = "".join(c for c in name if not unicodedata.combining(c)).casefold()
    return " ".join(_FOLD_DROP.sub(" ", name).split()).replace(" ", "")


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    data = tomllib.loads(resources.files("pipeline.core").joinpath("organisations.toml")
                         .read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for org in data.get("organisation", ()):
        for form in [org["name"], *org.get("forms", ())]:
            key = fold(form)
            if key in out and out[key] != org["name"]:
                raise ValueError(f"organisations.toml: {form!r} names two organisations")
            out[key] = org["name"]
    return out


def known(name: str) -> str | None:
    """The canonical name of a known spelling or form, else None."""
    return _table().get(fold(name)) if name else None


def canonical(name: str, link_target: str | None = None) -> str:
    """One organisation's canonical name: the table's for a known label (or a known short form
    in brackets: "Experimental Design Bureau (OKB-1)" -> "OKB-1"), else the link target's,
    else the link target itself without its disambiguator, else the name as written.

    Bad input: a non-string or empty name gives "" (or the link target's name when there is one).
    """
    name = " ".join(name.split()) if isinstance(name, str) else ""
    target = link_target.strip() if isinstance(link_target, str) else ""
    found = known(name)
    if found is None and name:
        m = _BRACKETED.match(name)
        if m:
            found = known(m.group(2)) or known(m.group(1))
    if found is None and target:
        found = known(target) or known(_DISAMBIGUATOR.sub("", target))
        if found is None:
            found = _DISAMBIGUATOR.sub("", target.split("#", 1)[0]).strip() or None
    return found or name


def organisations(items: list[str], links: list[tuple[str, str]] = ()) -> list[str]:
    """The canonical names of the organisations in a value's items, in order, each once.

    `links` are the value's (label, target) wikilinks. An item is split at "/", ",", "and",
    "or", "&" only when every part is a link label or a known organisation.
    Bad input: non-strings and empty items are skipped.
    """
    targets = {" ".join(lbl.split()): tgt for lbl, tgt in links if isinstance(lbl, str) and lbl.strip()}
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            continue
        item = " ".join(item.split())
        parts = [p for p in _SEPARATORS.split(item) if p]
        if len(parts) < 2 or not all(p in targets or known(p) for p in parts):
            parts = [item]
        for part in parts:
            name = canonical(part, targets.get(part))
            if name and name not in out:
                out.append(name)
    return out
