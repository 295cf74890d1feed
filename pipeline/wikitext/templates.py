"""Template handlers: the declarative table templates.toml, and code for the few that compute.

The table (templates.toml, beside this module, loaded once) says for every template name what a
reader sees: one argument, a fixed text, nothing, a footnote, a list, a ship's or vehicle's name,
or the result of a handler below (dates, time intervals, {{convert}}, {{coord}}, numbers). Its
header documents the rules and the fallback for a template it does not list (shows nothing, is
reported in Value.unknown_templates).

Each renderer takes the template's Args and the rendering Context and returns the text a reader
sees; side results (links, citations, coordinates, quantities) go on the Context. Look names up
with `renderer_for(name)` (a canonical template name; case-insensitive). This module does not
import render.py: handlers get (Args, Context) and use ctx.render(...), ctx.fill_citation(cite,
code), a.text(i), a.plain(i), a.get(k).

Bad input never raises: a template with missing or junk arguments renders what it can, often "".
A malformed table is a bug of the package: load_table raises ValueError naming the entry.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from pipeline.core.instants import zone_offset
from pipeline.core.mediawiki import link_target
from pipeline.records import Citation
from pipeline.wikitext import tree as mwtree
from pipeline.wikitext.convert import parse_coord, render_convert
from pipeline.wikitext.date_templates import (render_days, render_free, render_interval,
                                              render_local_time, render_numeric, render_parts,
                                              render_years_days)
from pipeline.wikitext.inline import APOS, FLAG_CLOSE, FLAG_OPEN, SEP

if TYPE_CHECKING:  # the renderer hands itself to each template; no import at run time
    from pipeline.wikitext.render import Args, Context

Renderer = Callable[["Args", "Context"], str]
TABLE_FILE = "templates.toml"
RULES = ("arg", "fixed", "break", "drop", "footnote", "list", "flag", "ship", "lookup", "vehicle",
         "code")
# Options each rule reads (anything else in an entry is a mistake in the table).
_OPTIONS = {
    "arg": {"arg", "min_args", "named", "named_first", "before", "default"},
    "fixed": {"text"}, "break": set(), "drop": {"why"}, "footnote": {"body"}, "list": set(),
    "flag": {"show"}, "ship": {"prefix_arg"}, "lookup": {"table", "pad", "missing"},
    "vehicle": {"types"}, "code": {"handler"},
}
_COMMON = {"names", "prefixes", "rule", "source"}


@dataclass(frozen=True)
class Entry:
    """One row of the table: the names it covers, its rule and the rule's options."""

    names: tuple[str, ...]
    rule: str
    source: str
    prefixes: tuple[str, ...] = ()
    options: dict = field(default_factory=dict, compare=False)


# --- code handlers (rule "code"), by the name the table gives them ------------------------------

HANDLERS: dict[str, Renderer] = {}


def handler(name: str) -> Callable[[Renderer], Renderer]:
    def deco(fn: Renderer) -> Renderer:
        HANDLERS[name] = fn
        return fn
    return deco


def _raw(a: Args, key: str) -> str:
    """A named option as written (a.get trims punctuation: "sep=," would read as "")."""
    return mwtree.to_str(a.named[key]).strip() if key in a.named else ""


def _yes(value: str) -> bool:
    return value.strip().lower() in ("y", "yes", "1", "true", "on")


@handler("date")
def _date(a: Args, ctx: Context) -> str:
    """Start date / End date (y|m|d|h|mi|s|zone, df=y) and the free-text forms (Start date
    text, End date text: the text re-rendered canonically). Ages ("and age") are not shown:
    they change with the day of reading."""
    p = a.plains()
    dmy = _yes(a.get("df")) or a.get("format").lower() == "dmy"
    tz = a.get("tz") or ("" if a.get("timezone") in ("", "yes", "y") else a.get("timezone"))
    if p and not re.fullmatch(r"[\s\d]*", p[0]):
        return render_free(p[0], dmy=dmy if (a.get("df") or a.get("format")) else None, tz=tz)
    parts = 3 if ("age" in a.name or "birth" in a.name or "death" in a.name) else 7
    return render_numeric(p[:parts], dmy=dmy, tz=tz)


@handler("ltime")
def _ltime(a: Args, ctx: Context) -> str:
    """{{ltime|date|h|mi|s|local zone|DMY}}: local time, then the UTC time in brackets."""
    p = a.plains() + [""] * 6
    zone = p[4].strip()
    return render_local_time(p[0], p[1], p[2], p[3], zone, zone_offset(zone) if zone else None,
                             dmy=p[5].strip().upper() == "DMY")


@handler("interval")
def _interval(a: Args, ctx: Context) -> str:
    return render_interval(a.plain(0), a.plain(1), a.get("show"), _raw(a, "sep"))


@handler("age_in_days")
def _age_in_days(a: Args, ctx: Context) -> str:
    return render_days(a.plain(0), a.plain(1))


@handler("age_in_years_and_days")
def _age_in_years_and_days(a: Args, ctx: Context) -> str:
    return render_years_days(a.plain(0), a.plain(1), _raw(a, "sep"))


@handler("duration")
def _duration(a: Args, ctx: Context) -> str:
    p = a.plains()
    parts = {k: a.get(k) for k in ("y", "mo", "w", "d", "h", "m", "s")}
    for k, v in zip(("h", "m", "s"), p):
        parts[k] = parts[k] or v
    return render_parts(parts)


@handler("as_of")
def _as_of(a: Args, ctx: Context) -> str:
    return render_numeric(a.plains()[:3], dmy=True, as_of=True)


@handler("convert")
def _convert(a: Args, ctx: Context) -> str:
    return render_convert(a.plains(), ctx)


_COORD_SKIP = re.compile(r"[:=]")


@handler("coord")
def _coord(a: Args, ctx: Context) -> str:
    if ctx.coords is None:
        ctx.coords = parse_coord([x for x in a.plains() if x and not _COORD_SKIP.search(x)])
    return ""


@handler("frac")
def _frac(a: Args, ctx: Context) -> str:
    p = a.plains()
    if len(p) >= 3:
        return f"{p[0]} {p[1]}/{p[2]}"
    return "/".join(p) if len(p) == 2 else ("1/" + p[0] if p else "")


@handler("val")
def _val(a: Args, ctx: Context) -> str:
    num = a.plain(0)
    if a.get("e"):
        num += "×10^" + a.get("e")
    return (num + " " + (a.get("u") or a.get("ul"))).strip()


@handler("e")
def _e(a: Args, ctx: Context) -> str:
    return "×10^" + a.plain(0)


@handler("url")
def _url(a: Args, ctx: Context) -> str:
    return a.text(1) or re.sub(r"^https?://", "", a.plain(0))


_PLAIN_NUMBER = re.compile(r"([-+−]?)(\d+)(\.\d+)?")


@handler("formatnum")
def _formatnum(a: Args, ctx: Context) -> str:
    """{{formatnum:2768}}: the number after the colon with its digits grouped ("2,768"); text
    that is not a plain number is shown as written."""
    number = mwtree.to_str(a.template.name).split(":", 1)[1].strip()
    m = _PLAIN_NUMBER.fullmatch(number)
    if m is None:
        return number
    return f"{m.group(1)}{int(m.group(2)):,}{m.group(3) or ''}"


@handler("cite")
def _cite(a: Args, ctx: Context) -> str:
    """A bare {{cite ...}} in a value (outside a ref) is a citation too."""
    cite = Citation(text=ctx.unlift(str(a.template)))
    ctx.fill_citation(cite, mwtree.code([a.template]))
    ctx.citations.append(cite)
    return ""


# --- the rules: each builds the renderer of one table entry -------------------------------------

def _rule_arg(e: Entry) -> Renderer:
    index = int(e.options.get("arg", 1))
    least = int(e.options.get("min_args", 1))
    named = e.options.get("named", ())
    named = (named,) if isinstance(named, str) else tuple(named)
    named_first = bool(e.options.get("named_first", False))
    before = e.options.get("before", "")
    default = e.options.get("default", "")

    def by_name(a: Args, ctx: Context) -> str:
        for key in named:
            if key in a.named:
                text = ctx.render(a.named[key])
                if text.strip():
                    return text
        return ""

    def render(a: Args, ctx: Context) -> str:
        text = by_name(a, ctx) if named_first else ""
        if not text:
            n = len(a.positional)
            if n >= least:
                i = n - 1 if index == -1 else index - 1
                # The argument as it shows, spaces and punctuation at its ends included: the
                # value's own cleaning trims the whole text once.
                text = ctx.render(a.positional[i]) if 0 <= i < n else ""
            if not text.strip() and named and not named_first:
                text = by_name(a, ctx)
        if default and not text.strip():
            return default
        return before + text if before else text
    render.first_arg = index == 1 and not named_first and least == 1  # type: ignore[attr-defined]
    return render


def _rule_fixed(e: Entry) -> Renderer:
    # An apostrophe in a fixed text is a literal one, kept apart from '' markup (APOS).
    text = str(e.options.get("text", "")).replace("'", APOS)
    return lambda a, ctx: text


def _break(a: Args, ctx: Context) -> str:
    return SEP


def _rule_break(e: Entry) -> Renderer:
    return _break


def _drop(a: Args, ctx: Context) -> str:
    return ""


_drop.silent = True  # type: ignore[attr-defined]


def _rule_drop(e: Entry) -> Renderer:
    return _drop


def _footnote(a: Args, ctx: Context) -> str:
    ctx.citations.append(Citation(name=a.get("name") or None, text=ctx.unlift(str(a.template))))
    return ""


def _note(a: Args, ctx: Context) -> str:
    """A footnote whose first argument is the note's text (efn, refn, #tag:ref)."""
    cite = Citation(name=a.get("name") or None, text=ctx.unlift(str(a.template)))
    body = a.named.get("1") or (a.positional[0] if a.positional else None)
    if body is not None:
        cite.text = ctx.unlift(str(body).strip())
        ctx.fill_citation(cite, body)
    ctx.citations.append(cite)
    return ""


_footnote.silent = _note.silent = True  # type: ignore[attr-defined]


def _rule_footnote(e: Entry) -> Renderer:
    return _note if e.options.get("body") else _footnote


def _list(a: Args, ctx: Context) -> str:
    """Several positional items (ubl, hlist) or one body of bullets (plainlist, flatlist)."""
    if len(a.positional) == 1:
        return SEP + ctx.render(a.positional[0]) + SEP
    return SEP + SEP.join(a.texts()) + SEP


def _rule_list(e: Entry) -> Renderer:
    return _list


def _rule_flag(e: Entry) -> Renderer:
    show = bool(e.options.get("show", True))

    def render(a: Args, ctx: Context) -> str:
        country = a.plain(0)
        if not country:
            return ""
        ctx.links.append((country, "flag:" + country))
        return FLAG_OPEN + country + FLAG_CLOSE if show else ""
    return render


def _ship(a: Args, ctx: Context, prefix: str, name_i: int) -> str:
    name, ident = a.plain(name_i), a.plain(name_i + 1)
    if not name:
        return prefix
    full = f"{prefix} {name}" + (f" ({ident})" if ident else "")
    ctx.links.append((full, link_target(full)))
    return full


def _rule_ship(e: Entry) -> Renderer:
    if e.options.get("prefix_arg"):
        return lambda a, ctx: _ship(a, ctx, a.plain(0), 1)
    # The prefix is the template's name as the table spells it ("USS", "HSwMS").
    spelled = {n.lower(): n for n in e.names}
    return lambda a, ctx: _ship(a, ctx, spelled.get(a.name, a.name.upper()), 0)


def _rule_lookup(e: Entry) -> Renderer:
    table = {str(k): str(v) for k, v in e.options.get("table", {}).items()}
    pad = int(e.options.get("pad", 0))
    missing = str(e.options.get("missing", "{arg}"))

    def render(a: Args, ctx: Context) -> str:
        key = a.plain(0).strip()
        full = table.get(key.zfill(pad) if key.isdigit() else key)
        if full is None:
            return missing.format(arg=key) if key else ""
        ctx.links.append((full, link_target(full)))
        return full
    return render


def _rule_vehicle(e: Entry) -> Renderer:
    types = {str(k).casefold(): str(v) for k, v in e.options.get("types", {}).items()}

    def render(a: Args, ctx: Context) -> str:
        kind = a.plain(0).strip()
        shown = types.get(kind.casefold(), kind)
        own = a.plain(1).strip()
        full = f"{shown} {own}" if shown and own else shown or own
        if full:
            ctx.links.append((full, link_target(full)))
        return full
    return render


def _rule_code(e: Entry) -> Renderer:
    return HANDLERS[e.options["handler"]]


_BUILDERS: dict[str, Callable[[Entry], Renderer]] = {
    "arg": _rule_arg, "fixed": _rule_fixed, "break": _rule_break, "drop": _rule_drop,
    "footnote": _rule_footnote,
    "list": _rule_list, "flag": _rule_flag, "ship": _rule_ship, "lookup": _rule_lookup,
    "vehicle": _rule_vehicle, "code": _rule_code,
}
# Renderers that show no text whatever their arguments (footnotes, maintenance tags, {{coord}},
# citations): the prose does not parse them.
HANDLERS["coord"].silent = HANDLERS["cite"].silent = True  # type: ignore[attr-defined]


# --- the table ----------------------------------------------------------------------------------

def load_table(text: str) -> tuple[Entry, ...]:
    """The entries of a templates.toml text, checked: every entry has names, a known rule with
    only its own options, a source; a code entry names an existing handler; no name is listed
    twice. A mistake raises ValueError naming the entry."""
    data = tomllib.loads(text)
    entries, seen = [], {}
    for i, raw in enumerate(data.get("template", [])):
        where = f"{TABLE_FILE} entry {i + 1} ({', '.join(raw.get('names', [])[:2]) or 'no names'})"
        rule = raw.get("rule")
        if rule not in RULES:
            raise ValueError(f"{where}: unknown rule {rule!r} (one of {', '.join(RULES)})")
        names = raw.get("names", [])
        prefixes = raw.get("prefixes", [])
        if not (names or prefixes) or not all(isinstance(n, str) and n.strip()
                                               for n in list(names) + list(prefixes)):
            raise ValueError(f"{where}: needs non-empty names (or name prefixes)")
        if not str(raw.get("source", "")).strip():
            raise ValueError(f"{where}: needs a source")
        extra = set(raw) - _COMMON - _OPTIONS[rule]
        if extra:
            raise ValueError(f"{where}: options {sorted(extra)} do not belong to rule {rule!r}")
        if rule == "code" and raw.get("handler") not in HANDLERS:
            raise ValueError(f"{where}: no handler named {raw.get('handler')!r}")
        if rule == "fixed" and not isinstance(raw.get("text"), str):
            raise ValueError(f"{where}: a fixed rule needs a text")
        for n in list(names) + list(prefixes):
            key = n.lower()
            if key in seen:
                raise ValueError(f"{where}: {n!r} is already in {seen[key]}")
            seen[key] = where
        options = {k: v for k, v in raw.items() if k not in _COMMON}
        entries.append(Entry(tuple(names), rule, raw["source"], tuple(prefixes), options))
    return tuple(entries)


def _read_table() -> tuple[Entry, ...]:
    return load_table(resources.files(__package__).joinpath(TABLE_FILE).read_text(encoding="utf-8"))


TABLE: tuple[Entry, ...] = _read_table()
# lower-case template name -> renderer; name prefixes of families ("lang-", "cite ").
RENDERERS: dict[str, Renderer] = {}
_PREFIXES: list[tuple[str, Renderer]] = []
for _entry in TABLE:
    _fn = _BUILDERS[_entry.rule](_entry)
    for _name in _entry.names:
        RENDERERS[_name.lower()] = _fn
    _PREFIXES.extend((p.lower(), _fn) for p in _entry.prefixes)
_PREFIXES.sort(key=lambda pf: -len(pf[0]))
del _entry, _fn, _name


@lru_cache(maxsize=8192)
def renderer_for(name: str) -> Renderer | None:
    """The renderer for a canonical template name, or None when the table does not know it.
    A name is looked up whole, then by the families' prefixes (Lang-xx, Cite ...), then a
    parser function ({{formatnum:2768}}) by its part up to the colon."""
    key = name.lower()
    fn = RENDERERS.get(key)
    if fn is not None:
        return fn
    for prefix, fn in _PREFIXES:
        if key.startswith(prefix):
            return fn
    if ":" in key:
        return RENDERERS.get(key.split(":", 1)[0].rstrip() + ":")
    return None


def is_silent(fn: Renderer | None) -> bool:
    """True for a renderer that never shows text (footnotes, maintenance tags, coordinates,
    citations): the prose need not render it."""
    return bool(getattr(fn, "silent", False))


def shows_first_arg(fn: Renderer | None) -> bool:
    """True for a renderer whose text is its first positional argument ({{nowrap}}, {{quote}})."""
    return bool(getattr(fn, "first_arg", False))
