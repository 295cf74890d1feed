"""The template renderers of pipeline.wikitext.render: template name -> text (and side results).

Each function takes the template's Args and the rendering Context and returns the text a reader
sees; side results (links, citations, coordinates, quantities) go on the Context. Names are
lower case (matched case-insensitively, see render.renderer_for). Imported by render.py, which
is where to look things up: `renderer_for(name)`.

Bad input never raises: a template with missing or junk arguments renders what it can, often "".
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.core.mediawiki import link_target
from pipeline.wikitext import tree as mwtree
from pipeline.wikitext.inline import APOS, FLAG_CLOSE, FLAG_OPEN, SEP, clean_inline
from pipeline.wikitext.date_templates import (render_free, render_interval, render_numeric,
                                           render_parts)
from pipeline.wikitext.convert import parse_coord, render_convert
from pipeline.records import Citation

if TYPE_CHECKING:  # the renderer hands itself to each template; no import at run time
    from pipeline.wikitext.render import Args, Context

# --- the registry -------------------------------------------------------------------------------

Renderer = Callable[["Args", "Context"], str]
RENDERERS: dict[str, Renderer] = {}


@lru_cache(maxsize=8192)
def renderer_for(name: str) -> Renderer | None:
    """The renderer for a canonical template name, or None (families such as Lang-xx, Cite *
    and the ship prefixes are matched by prefix)."""
    key = name.lower()
    fn = RENDERERS.get(key)
    if fn is not None:
        return fn
    if key.startswith("lang-"):
        return RENDERERS["lang-xx"]
    if key.startswith(("cite ", "citation")) and key not in RENDERERS:
        return _cite
    return None


def register(*names: str) -> Callable[[Renderer], Renderer]:
    def deco(fn: Renderer) -> Renderer:
        for name in names:
            RENDERERS[name] = fn
        renderer_for.cache_clear()
        return fn
    return deco


def constant(value: str, *names: str) -> None:
    register(*names)(lambda a, ctx: value)


def _cite(a: Args, ctx: Context) -> str:
    """A bare {{cite ...}} in a value (outside a ref) is a citation too."""
    cite = Citation(text=ctx.unlift(str(a.template)))
    ctx.fill_citation(cite, mwtree.code([a.template]))
    ctx.citations.append(cite)
    return ""




@register("efn", "efn-ua", "efn-lr", "efn-lg", "refn", "sfn", "sfnp", "sfnm", "harvnb", "r",
          "rp", "notetag", "ref label", "note label", "#tag:ref")
def _footnote(a: Args, ctx: Context) -> str:
    cite = Citation(name=a.get("name") or None, text=ctx.unlift(str(a.template)))
    body = a.named.get("1") or (a.positional[0] if a.positional else None)
    if body is not None and a.name in ("efn", "refn", "#tag:ref"):
        cite.text = ctx.unlift(str(body).strip())
        ctx.fill_citation(cite, body)
    ctx.citations.append(cite)
    return ""


@register("citation needed", "cn", "fact", "clarify", "dubious", "when", "who", "which",
          "update needed", "better source needed", "failed verification", "dead link", "vague",
          "by whom", "according to whom", "verification needed", "original research inline",
          "anchor", "clear", "clr", "-", "void", "use mdy dates", "use dmy dates", "toc limit",
          "endplainlist", "startplainlist", "startflatlist", "endflatlist", "end flatlist",
          "flagdeco/core", "coord missing", "dn", "disambiguation needed", "specify", "increase",
          "decrease", "steady", "increase neutral", "decrease positive", "decrease negative")
def _drop(a: Args, ctx: Context) -> str:
    return ""


@register("nowrap", "nobr", "nobreak", "small", "smaller", "big", "larger", "large", "sup",
          "sub", "center", "midsize", "mono", "code", "tooltip", "abbr", "abbrlink", "nihongo",
          "ill", "interlanguage link", "sic", "italic title", "nobold", "noitalic", "resize",
          "font", "em", "strong", "angbr", "quote", "blockquote", "cquote", "text", "smallcaps",
          "lang-xx", "vanchor", "visible anchor", "ship name", "hide", "keep together", "marriage")
def _first(a: Args, ctx: Context) -> str:
    if a.name == "resize" and len(a.positional) > 1:
        return a.text(1)
    return a.text(0) or clean_inline(ctx.render(a.named.get("text")))


@register("lang", "transl", "transliteration", "native name", "native phrase")
def _last(a: Args, ctx: Context) -> str:
    if "text" in a.named:
        return clean_inline(ctx.render(a.named["text"]))
    return a.text(len(a.positional) - 1) if len(a.positional) >= 2 else ""


constant("|", "!")
constant("=", "=")
constant("||", "!!")
constant(" – ", "snd", "spnd", "sndash", "spaced ndash", "spaced en dash")
constant("–", "ndash", "en dash", "dash")
constant("—", "mdash", "em dash")
constant("·", "·", "middot", "dot")
constant("•", "bull", "bullet", "•")
constant("-", "nbhyph")
constant("±", "pm", "plusminus", "+-")
constant("°", "deg")
constant(APOS, "'")
constant(APOS + "s", "'s")
constant(", ", ",")


@register("nbsp")
def _nbsp(a: Args, ctx: Context) -> str:
    return " "


@register("circa", "c.", "ca.", "ca")
def _circa(a: Args, ctx: Context) -> str:
    return ("c. " + a.text(0)).strip()


@register("as of")
def _as_of(a: Args, ctx: Context) -> str:
    return render_numeric(a.plains()[:3], dmy=True, as_of=True)


@register("frac", "fraction")
def _frac(a: Args, ctx: Context) -> str:
    p = a.plains()
    if len(p) >= 3:
        return f"{p[0]} {p[1]}/{p[2]}"
    return "/".join(p) if len(p) == 2 else ("1/" + p[0] if p else "")


@register("val")
def _val(a: Args, ctx: Context) -> str:
    num = a.plain(0)
    if a.get("e"):
        num += "×10^" + a.get("e")
    return (num + " " + (a.get("u") or a.get("ul"))).strip()


@register("e")
def _e(a: Args, ctx: Context) -> str:
    return "×10^" + a.plain(0)


@register("url")
def _url(a: Args, ctx: Context) -> str:
    return a.text(1) or re.sub(r"^https?://", "", a.plain(0))


@register("ubl", "ublist", "ubil", "unbulleted list", "unbulleted indent list", "plainlist",
          "plain list", "flatlist", "flat list", "hlist", "bulleted list", "blist", "bullet list",
          "ordered list", "ol", "ul", "indented plainlist", "collapsible list", "unordered list",
          "flowlist", "unbulleted list citebundle", "cslist", "bulleted", "bare list")
def _list(a: Args, ctx: Context) -> str:
    """Several positional items (ubl, hlist) or one body of bullets (plainlist, flatlist)."""
    if len(a.positional) == 1:
        return SEP + ctx.render(a.positional[0]) + SEP
    return SEP + SEP.join(a.texts()) + SEP


@register("flagicon", "flag icon", "flagdeco", "flagicon image", "flag", "flagcountry",
          "flag country", "flagu", "flagathlete", "flag athlete")
def _flag(a: Args, ctx: Context) -> str:
    country = a.plain(0)
    if not country:
        return ""
    ctx.links.append((country, "flag:" + country))
    if a.name.startswith(("flagicon", "flag icon", "flagdeco")):
        return ""
    return FLAG_OPEN + country + FLAG_CLOSE


_SHIP_PREFIXES = ("USS", "HMS", "SS", "USNS", "RFS", "HMAS", "HMCS", "HMNZS", "USCGC", "RMS",
                  "MV", "NS", "INS", "JS", "HNLMS", "HDMS", "HSwMS", "KRI", "ROKS", "FS", "SMS",
                  "USAT", "HMSAS", "HNoMS", "ORP", "RV", "PS", "SMU", "HMY", "ARA", "BNS", "ENS")


def _ship(a: Args, ctx: Context, prefix: str, name_i: int) -> str:
    name, ident = a.plain(name_i), a.plain(name_i + 1)
    if not name:
        return prefix
    full = f"{prefix} {name}" + (f" ({ident})" if ident else "")
    ctx.links.append((full, link_target(full)))
    return full


for _p in _SHIP_PREFIXES:
    RENDERERS[_p.lower()] = (lambda prefix: lambda a, ctx: _ship(a, ctx, prefix, 0))(_p)
RENDERERS["ship"] = lambda a, ctx: _ship(a, ctx, a.plain(0), 1)
renderer_for.cache_clear()


# Space Shuttle orbiters by vehicle number ({{OV|103}}: Template:OV on en.wikipedia.org links
# the orbiter's article and shows its name).
_ORBITERS = {"099": "Challenger", "101": "Enterprise", "102": "Columbia", "103": "Discovery",
             "104": "Atlantis", "105": "Endeavour"}


@register("ov")
def _orbiter(a: Args, ctx: Context) -> str:
    number = a.plain(0).strip()
    name = _ORBITERS.get(number.zfill(3))
    if name is None:
        return f"OV-{number}" if number else ""
    full = f"Space Shuttle {name}"
    ctx.links.append((full, full))
    return full


@register("start date", "end date", "start-date", "end-date", "start date text", "dts",
          "start date and age", "end date and age", "birth date", "death date",
          "birth date and age", "death date and age", "birth year and age", "date", "launch date")
def _date(a: Args, ctx: Context) -> str:
    p = a.plains()
    dmy = a.get("df").lower() in ("y", "yes", "1", "true") or a.get("format").lower() == "dmy"
    tz = a.get("tz") or ("" if a.get("timezone") in ("", "yes", "y") else a.get("timezone"))
    if p and not re.fullmatch(r"[\s\d]*", p[0]):
        return render_free(p[0], dmy=dmy if (a.get("df") or a.get("format")) else None, tz=tz)
    parts = 3 if ("age" in a.name or "birth" in a.name or "death" in a.name) else 6
    return render_numeric(p[:parts], dmy=dmy, tz=tz)


@register("duration", "time interval", "age in days", "time elapsed")
def _duration(a: Args, ctx: Context) -> str:
    if a.name == "duration":
        p = a.plains()
        parts = {k: a.get(k) for k in ("y", "mo", "w", "d", "h", "m", "s")}
        for k, v in zip(("h", "m", "s"), p):
            parts[k] = parts[k] or v
        return render_parts(parts)
    return render_interval(a.plain(0), a.plain(1), a.get("show"))


@register("convert", "cvt", "convert/flip")
def _convert(a: Args, ctx: Context) -> str:
    return render_convert(a.plains(), ctx)


_COORD_SKIP = re.compile(r"[:=]")


@register("coord", "coor d", "coor dm", "coor dms", "coor dec", "coor title d", "coor title dm",
          "coor title dms", "coor at d", "coor at dm", "coor at dms", "coord/input/dms")
def _coord(a: Args, ctx: Context) -> str:
    if ctx.coords is None:
        ctx.coords = parse_coord([x for x in a.plains() if x and not _COORD_SKIP.search(x)])
    return ""


@register("lunar coords", "lunar coords and quad cat", "moon coords", "mars coords",
          "coord mars", "coord moon", "marscoord")
def _other_body(a: Args, ctx: Context) -> str:
    return ""
