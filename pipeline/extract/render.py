"""Render parsed wikitext (an infobox parameter value, a small template) as a reader sees it.

Templates go through a registry, RENDERERS: lower-cased template name -> function(args, ctx)
returning text (names are matched case-insensitively because Wikipedia keeps redirects for the
common case variants). Side results (links, coordinates, quantities, citations, unknown
templates, nested infoboxes) are collected on a Context while rendering.

Conventions (see also pipeline.extract.wikitext):

* List items are separated by SEP while rendering; ``finish`` splits on it (``<br>``, bullets,
  ubl/plainlist/flatlist/hlist) and joins the items with ", " for the one-line text.
* Dates render as "July 16, 1969, 13:32:00 UTC" (mdy) or "16 July 1969, 13:32:00 UTC" (df=y,
  or free-text input written day-first): date, then time when given, then the zone when given
  (Z and UTC both print "UTC", offsets print "UTC-04:00"). A repeated "UTC UTC" collapses.
  Free text that says more than a date, time and zone ("NET 2025") is shown as written.
* {{convert}} renders its metric number and unit symbol without thousands separators
  ("45702 kg"), rounded like Module:Convert's default (input decimals shifted by the log10 of
  the factor, at least two significant figures); Value.quantities gets one Quantity per stated
  number: value and unit as written, converted_value/converted_unit = the metric figure shown
  (a metric input converts to itself). disp/order=flip, sp, adj, lk, abbr change nothing here.
* {{Coord}} renders "" and fills coords; lunar/planetary coordinate templates render "" and do
  not fill coords (Value has no field for another body).
* A template without a renderer renders "" and its name goes to unknown_templates.

Bad input never raises: a template with missing or junk arguments renders what it can, often "".
"""
from __future__ import annotations

import html
import math
import re
from collections.abc import Callable

import mwparserfromhell
from mwparserfromhell.nodes import (Argument, Comment, ExternalLink, Heading, HTMLEntity, Tag,
                                    Template, Text, Wikilink)
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.smart_list import SmartList
from mwparserfromhell.wikicode import Wikicode

from pipeline.extract.locate import canonical_name, normalize_name
from pipeline.records import Citation, Quantity, Value
from pipeline.transform.units import convert_value, unit_code

SEP = "\x1e"
# Brackets a flag's country: shown only when nothing else shares its list item (see finish).
FLAG_OPEN, FLAG_CLOSE = "\ue000", "\ue001"
# A literal apostrophe from an entity or {{'}}: kept apart from the '' and ''' markup until
# the quotes are stripped (MediaWiki emits &#39; for the same reason).
APOS = "\ue002"
_FLAG = re.compile("\ue000([^\ue000\ue001]*)\ue001")
_HIDDEN_TAGS = {"ref", "references", "math", "chem", "ce", "gallery", "templatestyles", "score",
                "timeline", "graph", "mapframe", "maplink", "templatedata", "imagemap", "hiero",
                "syntaxhighlight", "source", "inputbox", "categorytree", "section", "table",
                "includeonly", "style", "script"}
_LITERAL_TAGS = {"nowiki", "pre", "code", "tt"}
_BREAK_TAGS = {"br", "li", "dt", "dd", "hr", "tr", "p"}
_DROP_NS = {"file", "image", "category", "datei", "bild", "kategorie", "fichier", "catégorie",
            "archivo", "imagen", "categoría"}
_INTERWIKI = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,8})*$|^simple$")


class Context:
    """What rendering one value collects besides its text."""

    def __init__(self, on_infobox: Callable[[Template], None] | None = None) -> None:
        self.links: list[tuple[str, str]] = []
        self.coords: tuple[float, float] | None = None
        self.quantities: list[Quantity] = []
        self.citations: list[Citation] = []
        self.unknown_templates: list[str] = []
        self.on_infobox = on_infobox

    def render(self, code: Wikicode | None) -> str:
        """Text of a Wikicode with SEP between list items (call finish() on the result)."""
        if code is None:
            return ""
        return "".join(self.node(n) for n in code.nodes)

    def node(self, n) -> str:
        if isinstance(n, Text):
            return n.value.replace(SEP, "").replace(FLAG_OPEN, "").replace(FLAG_CLOSE, "")
        if isinstance(n, Template):
            return self.template(n)
        if isinstance(n, Wikilink):
            return self.wikilink(n)
        if isinstance(n, HTMLEntity):
            try:
                return n.normalize().replace("'", APOS)
            except (ValueError, OverflowError):
                return str(n)
        if isinstance(n, Tag):
            return self.tag(n)
        if isinstance(n, ExternalLink):
            if n.brackets:
                return self.render(n.title) if n.title else ""
            return str(n.url)
        if isinstance(n, Heading):
            return self.render(n.title)
        if isinstance(n, Argument):
            return self.render(n.default) if n.default is not None else ""
        if isinstance(n, Comment):
            return ""
        return str(n)

    def template(self, t: Template) -> str:
        name = canonical_name(str(t.name))
        if name.startswith("Infobox"):
            if self.on_infobox is not None:
                self.on_infobox(t)
            return ""
        fn = renderer_for(name)
        if fn is None:
            self.unknown_templates.append(name)
            return ""
        return fn(Args(t, self, name.lower()), self)

    def wikilink(self, link: Wikilink) -> str:
        title = plain(link.title)
        ns, colon, _ = title.partition(":")
        ns = ns.strip().lower()
        if colon and not title.startswith(":") and (ns in _DROP_NS or _INTERWIKI.match(ns)):
            return ""
        if link.text is not None:
            label = clean_inline(self.render(link.text))
            if not label:  # pipe trick: [[Foo (bar)|]] shows "Foo"
                label = re.sub(r"\s*\([^)]*\)\s*$", "", title.lstrip(":").split(":")[-1])
        else:
            label = clean_inline(title.lstrip(":").replace("_", " "))
        target = link_target(title)
        if target:
            self.links.append((label, target))
        return label

    def tag(self, tag: Tag) -> str:
        name = str(tag.tag).strip().lower()
        if tag.wiki_markup in ("*", "#", ":", ";"):
            return SEP
        if name == "ref":
            self.citations.append(citation_from_ref(tag))
            return ""
        if name in _BREAK_TAGS:
            return SEP + (self.render(tag.contents) + SEP if tag.contents else "")
        if name in _LITERAL_TAGS:
            return str(tag.contents) if tag.contents is not None else ""
        if name in _HIDDEN_TAGS or tag.wiki_markup == "{|":
            return ""
        if tag.has("style") and re.search(r"display\s*:\s*none", str(tag.get("style").value), re.I):
            return ""
        return self.render(tag.contents) if tag.contents is not None else ""


class Args:
    """A template's arguments, rendered on demand (unused arguments leave no side results)."""

    def __init__(self, t: Template, ctx: Context, name: str = "") -> None:
        self.template = t
        self.ctx = ctx
        self.name = name or canonical_name(str(t.name)).lower()
        self.positional: list[Wikicode] = []
        self.named: dict[str, Wikicode] = {}
        for p in t.params:
            if p.showkey:
                self.named[normalize_param(str(p.name))] = p.value
            else:
                self.positional.append(p.value)

    def text(self, i: int) -> str:
        """Positional argument i (0-based) rendered with side results, cleaned; "" if absent."""
        return clean_inline(self.ctx.render(self.positional[i])) if i < len(self.positional) else ""

    def plain(self, i: int) -> str:
        return plain(self.positional[i]) if i < len(self.positional) else ""

    def get(self, key: str, default: str = "") -> str:
        """Named argument rendered without side results (for options such as df, TZ)."""
        return plain(self.named[key]) if key in self.named else default

    def texts(self) -> list[str]:
        return [self.text(i) for i in range(len(self.positional))]

    def plains(self) -> list[str]:
        return [self.plain(i) for i in range(len(self.positional))]


def normalize_param(name: str) -> str:
    """MediaWiki parameter name as used in the records: comments dropped, trimmed, lower case,
    spaces as underscores. Positional parameters keep their number ("1")."""
    name = re.sub(r"<!--.*?(?:-->|\Z)", "", name, flags=re.S)
    return re.sub(r"\s+", "_", name.strip().lower())


def link_target(title: str) -> str:
    """A wikilink target as MediaWiki resolves it: fragment and leading colon dropped, entities
    decoded, "_" as space, whitespace collapsed, first letter upper case. "" for [[#section]]."""
    title = html.unescape(title).split("#", 1)[0].lstrip(":")
    title = re.sub(r"[\s_\u00a0]+", " ", title).strip()
    return title[:1].upper() + title[1:]


def plain(code: Wikicode | None) -> str:
    """Text of a Wikicode with no side results (refs, links and templates rendered away)."""
    if code is None:
        return ""
    return clean_inline(Context().render(code))


_SPACE_CHARS = re.compile(r"[\u00a0\u2007\u202f\u2009\u200a\u2002\u2003]")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1d\x1f\u00ad\u200b\u200e\u200f\ufeff]")
_QUOTES = re.compile(r"'{2,}")
_EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)|\[\s*\]")
_REPEATED_UTC = re.compile(r"\b(UTC)(?:\s+UTC\b)+")


def _quotes(m: re.Match) -> str:
    n = len(m.group(0))
    return "'" if n == 4 else "'" * (n - 5) if n > 5 else ""


_WS = re.compile(r"\s+")
_WS_IN_LINE = re.compile(r"[^\S\n]+")
_SPACE_BEFORE = re.compile(r" ([,;.:)])")


def clean_inline(s: str, sep: str = " ", keep_lines: bool = False) -> str:
    """One line of reader text: invisible characters dropped, non-breaking spaces and hyphens
    made plain, '' and ''' removed, empty brackets removed, whitespace collapsed. With
    keep_lines, newlines survive and each line is trimmed."""
    s = _FLAG.sub(r"\1", _INVISIBLE.sub("", s)).replace(SEP, sep)
    s = _SPACE_CHARS.sub(" ", s).replace("\u2011", "-")
    s = _QUOTES.sub(_quotes, s).replace(APOS, "'")
    s = _EMPTY_BRACKETS.sub("", s)
    s = (_WS_IN_LINE if keep_lines else _WS).sub(" ", s)
    s = _REPEATED_UTC.sub(r"\1", s)
    s = _SPACE_BEFORE.sub(r"\1", s).replace("( ", "(")
    if keep_lines:
        return "\n".join(line.strip(" ,;") for line in s.split("\n"))
    return s.strip(" ,;")


def finish(s: str) -> tuple[str, list[str]]:
    """Rendered text -> (one-line text, items): items split at SEP, empty ones dropped. A
    {{flag}} country stays only in an item that has no other text ("{{flag|Canada}}" ->
    "Canada", but "{{flag|Belarus}} [[Maryna Vasileuskaya]]" -> "Maryna Vasileuskaya")."""
    items = []
    for part in s.split(SEP):
        if FLAG_OPEN in part:
            without = clean_inline(_FLAG.sub("", part))
            part = without or part
        item = clean_inline(part)
        if item:
            items.append(item)
    return ", ".join(items), items


_LOST_TOKEN = re.compile(
    r"^(?:utc|gmt|frameless|frame|framed|thumb|thumbnail|border|upright(?:=[\d.]+)?|"
    r"\d*x?\d+\s*px|alt=.*)$", re.I)


def is_lost(text: str) -> bool:
    """True when text is only rendering residue: a bare "UTC" (or "UTC UTC"), empty brackets
    "()", image options such as "frameless|100px". Empty text is not residue (it is empty)."""
    t = text.strip()
    if not t:
        return False
    if re.fullmatch(r"[\s()\[\],;|:]+", t):
        return True
    tokens = [tok for tok in re.split(r"[\s|,;()\[\]]+", t) if tok]
    return bool(tokens) and all(_LOST_TOKEN.match(tok) for tok in tokens)


def citation_from_ref(tag: Tag) -> Citation:
    """A <ref> tag as a Citation: name attribute, and url/title/date of the first cite template
    inside. A ref without content (a reuse, <ref name="x" />) gives just the name."""
    cite = Citation()
    if tag.has("name"):
        cite.name = str(tag.get("name").value).strip().strip("\"'") or None
    if tag.contents is not None:
        cite.text = str(tag.contents).strip()
        fill_citation(cite, tag.contents)
    return cite


def fill_citation(cite: Citation, code: Wikicode) -> None:
    for t in code.filter_templates(recursive=False):
        name = normalize_name(str(t.name)).lower()
        if name.startswith("cite") or name.startswith("citation"):
            a = Args(t, Context())
            cite.url = a.get("url") or a.get("chapter-url") or a.get("chapterurl") or None
            cite.title = a.get("title") or None
            cite.date = a.get("date") or None
            return


# --- renderers -------------------------------------------------------------------------------

Renderer = Callable[[Args, Context], str]
RENDERERS: dict[str, Renderer] = {}


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
        return fn
    return deco


def constant(value: str, *names: str) -> None:
    register(*names)(lambda a, ctx: value)


@register("efn", "efn-ua", "efn-lr", "efn-lg", "refn", "sfn", "sfnp", "sfnm", "harvnb", "r",
          "rp", "notetag", "ref label", "note label", "#tag:ref")
def _footnote(a: Args, ctx: Context) -> str:
    cite = Citation(name=a.get("name") or None, text=str(a.template))
    body = a.named.get("1") or (a.positional[0] if a.positional else None)
    if body is not None and a.name in ("efn", "refn", "#tag:ref"):
        cite.text = str(body).strip()
        fill_citation(cite, body)
    ctx.citations.append(cite)
    return ""


def _cite(a: Args, ctx: Context) -> str:
    """A bare {{cite ...}} in a value (outside a ref) is a citation too."""
    cite = Citation(text=str(a.template))
    fill_citation(cite, _code_of(a.template))
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


_RANGE = {"to": " to ", "-": "–", "–": "–", "and": " and ", "or": " or ", "by": " × ",
          "x": " × ", "×": " × ", "+/-": " ± ", "±": " ± ", "to(-)": " to ", "&": " & ",
          "and(-)": " and ", "~": "–", "+": " + "}


def _number(s: str) -> tuple[float, int] | None:
    """(value, decimals) of a number as {{convert}} accepts it ("100,756", "−3", "1.5e3")."""
    s = s.replace(",", "").replace("−", "-").strip()
    if not re.fullmatch(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", s, re.I):
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    mant = s.lower().split("e")[0]
    return (v, len(mant.split(".")[1]) if "." in mant else 0) if math.isfinite(v) else None


def _fmt_number(v: float, decimals: int) -> str:
    decimals = max(0, min(decimals, 12))
    out = f"{v:.{decimals}f}"
    return "0" if re.fullmatch(r"-0\.?0*", out) else out


def render_convert(p: list[str], ctx: Context) -> str:
    """{{convert|value|unit|target}} and its ranges (value|to|value|unit) and compound inputs
    (5|ft|11|in|m): the metric text, one Quantity per stated number."""
    first = _number(p[0]) if p else None
    if first is None or len(p) < 2:
        return " ".join(x for x in p[:2] if x)
    numbers, words, i = [first], [], 1
    while i + 1 < len(p) and p[i].strip().lower() in _RANGE and _number(p[i + 1]):
        words.append(_RANGE[p[i].strip().lower()])
        numbers.append(_number(p[i + 1]))
        i += 2
    unit = p[i].strip() if i < len(p) else ""
    i += 1
    if not words and i + 1 < len(p) and _number(p[i]) and unit_code(p[i + 1].strip() or "?"):
        extra = convert_value(_number(p[i])[0], p[i + 1].strip(), unit)  # 5 ft 11 in
        if extra:
            numbers = [(first[0] + extra[0], max(first[1], 1))]
        i += 2
    target = p[i].split()[0] if i < len(p) and p[i].strip() else None
    precision = _number(p[i + 1]) if i + 1 < len(p) else None
    metric = convert_value(1.0, target) if target else None
    metric_target = target if metric and unit_code(target) == metric[1] else None
    shown = []
    for value, decimals in numbers:
        to_metric = convert_value(value, unit, metric_target) or convert_value(value, unit, None)
        ctx.quantities.append(Quantity(value, unit, to_metric[0] if to_metric else None,
                                       to_metric[1] if to_metric else None))
        if to_metric is None:
            shown.append((_fmt_number(value, decimals), unit))
        elif unit_code(unit) == to_metric[1]:
            shown.append((_fmt_number(value, decimals), to_metric[1]))
        else:
            factor = to_metric[0] / value if value else 1.0
            dec = decimals - round(math.log10(abs(factor))) if factor else decimals
            if to_metric[0]:
                dec = max(dec, 1 - math.floor(math.log10(abs(to_metric[0]))))
            if precision is not None and precision[1] == 0:
                dec = int(precision[0])
            shown.append((_fmt_number(to_metric[0], dec), to_metric[1]))
    text = shown[0][0]
    for word, (num, _) in zip(words, shown[1:]):
        text += word + num
    return f"{text} {shown[-1][1]}"


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


def parse_coord(p: list[str]) -> tuple[float, float] | None:
    """(lat, lon) from {{Coord}} positional arguments: d[m[s]] N|S d[m[s]] E|W, or decimal
    "lat|lon". Out-of-range or unreadable input gives None."""
    try:
        hemis = [i for i, x in enumerate(p) if x.upper() in ("N", "S", "E", "W")]
        if len(hemis) >= 2:
            i, j = hemis[0], hemis[1]
            lat = _dms(p[:i]) * (-1 if p[i].upper() == "S" else 1)
            lon = _dms(p[i + 1:j]) * (-1 if p[j].upper() == "W" else 1)
            if p[i].upper() in ("E", "W"):
                lat, lon = lon, lat
        elif len(p) >= 2:
            lat, lon = float(p[0].replace("−", "-")), float(p[1].replace("−", "-"))
        else:
            return None
    except (ValueError, IndexError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def _dms(parts: list[str]) -> float:
    if not 1 <= len(parts) <= 3:
        raise ValueError("dms")
    nums = [float(x.replace("−", "-")) for x in parts]
    return sum(n / 60 ** k for k, n in enumerate(nums))


# --- dates and durations -----------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
_MONTH_RE = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
            r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE_FORMS = [  # (regex, group order) for the date part of free text
    (re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"), "ymd"),
    (re.compile(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{3,4})", re.I), "mdy"),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(\d{3,4})", re.I), "dmy"),
    (re.compile(_MONTH_RE + r",?\s+(\d{3,4})", re.I), "my"),
    (re.compile(r"\b(\d{4})\b"), "y"),
]
_TIME = re.compile(r"(?<![\d-])(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?", re.I)
_ZONE = re.compile(r"(?:\b|(?<=\d))(UTC|GMT|Z)\b\s*([+\-−]\d{1,2}(?::?\d{2})?)?"
                   r"|(?<=\d)\s*([+\-−]\d{2}:?\d{2})\b"
                   r"|\b(E[SD]T|C[SD]T|M[SD]T|P[SD]T|MSK|BST|CES?T|JST|IST|AEST|KST)\b")


def _month(s: str) -> int | None:
    s = s.strip().rstrip(".").lower()
    if s.isdigit():
        return int(s) if 1 <= int(s) <= 12 else None
    if len(s) < 3:
        return None
    return next((i + 1 for i, m in enumerate(MONTHS) if m.lower().startswith(s)), None)


def _zone(tz: str) -> str:
    """Display form of a time zone: Z/UTC/GMT -> "UTC", offsets "UTC+05:00"."""
    tz = tz.strip().replace("−", "-")
    if tz.upper() in ("Z", "UTC", "GMT", "UTC+0", "UTC+00:00", "+00:00"):
        return "UTC"
    m = re.fullmatch(r"(?:UTC)?([+-])(\d{1,2}):?(\d{2})?", tz, re.I)
    return f"UTC{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}" if m else tz


def format_date(y: int | None, mo: int | None = None, d: int | None = None,
                h: int | None = None, mi: int | None = None, s: int | None = None,
                tz: str = "", dmy: bool = False) -> str:
    """'July 16, 1969, 13:32:00 UTC' (or '16 July 1969, ...' when dmy); parts left out when None."""
    if y is None:
        return ""
    date = str(y)
    if mo and 1 <= mo <= 12:
        date = f"{MONTHS[mo - 1]} {y}"
        if d:
            date = f"{d} {MONTHS[mo - 1]} {y}" if dmy else f"{MONTHS[mo - 1]} {d}, {y}"
    if h is not None:
        date += f", {h:02d}:{mi or 0:02d}" + (f":{s:02d}" if s is not None else "")
    return date + (" " + _zone(tz) if tz else "")


def parse_date_text(text: str) -> dict | None:
    """Date, time and zone parts of free text ("July 16, 1969, 13:32:00 UTC"); None if no date.
    "extra" is True when the text says more than that ("NET 2025", "(planned)")."""
    for rx, order in _DATE_FORMS:
        m = rx.search(text)
        if m:
            break
    else:
        return None
    g = dict(zip(order, m.groups())) if order != "ymd" else dict(zip("ymd", m.groups()))
    out = {"y": int(g["y"]), "mo": _month(g["m"]) if g.get("m") else None,
           "d": int(g["d"]) if g.get("d") else None, "dmy": order in ("dmy", "ymd")}
    found = [m.span()]
    t = _TIME.search(text, m.end()) or _TIME.search(text, 0, m.start())
    if t and order == "y" and t.start() <= m.start() < t.end():
        t = None
    if t:
        h = int(t.group(1)) % 24
        if t.group(4):
            h = h % 12 + (12 if t.group(4).lower().startswith("p") else 0)
        out.update(h=h, mi=int(t.group(2)), s=int(t.group(3)) if t.group(3) else None)
        found.append(t.span())
    z = _ZONE.search(text, m.end()) or _ZONE.search(text, 0, m.start())
    out["tz"] = next((x for x in z.groups() if x), "") if z else ""
    if z and z.group(1) and z.group(2):
        out["tz"] = z.group(2)
    if z:
        found.append(z.span())
    rest = "".join(text[a:b] for a, b in zip([0] + [e for _, e in sorted(found)],
                                              [s for s, _ in sorted(found)] + [len(text)]))
    out["extra"] = bool(re.search(r"[^\W_]", re.sub(r"\b(?:T|at|on)\b", "", rest)))
    return out


def render_free(text: str, dmy: bool | None = None, tz: str = "") -> str:
    """A free-text date template argument re-rendered canonically; text that says more than a
    date, time and zone ("NET 2025") or no date at all is shown as written (plus tz)."""
    parts = parse_date_text(text)
    if parts is None or parts["extra"]:
        return f"{text} {_zone(tz)}" if tz and parts and not parts["tz"] else text
    return format_date(parts["y"], parts["mo"], parts["d"], parts.get("h"), parts.get("mi"),
                       parts.get("s"), parts["tz"] or tz, parts["dmy"] if dmy is None else dmy)


def render_numeric(p: list[str], dmy: bool = False, tz: str = "", as_of: bool = False) -> str:
    """{{Start date|y|m|d|h|mi|s}}-style positional parts; unreadable parts are left out."""
    nums: list[int | None] = []
    for i, x in enumerate(p[:6]):
        x = x.strip()
        nums.append(_month(x) if i == 1 else int(x) if x.isdigit() else None)
    nums += [None] * (6 - len(nums))
    y, mo, d, h, mi, s = nums
    if not d:
        h = None
    out = format_date(y, mo, d if mo else None, h, mi, s, tz if h is not None else "", dmy)
    return ("As of " + out) if as_of and out else out


_DURATION_UNITS = {"y": "year", "mo": "month", "w": "week", "d": "day", "h": "hour",
                   "m": "minute", "s": "second"}


def render_parts(parts: dict[str, str | int]) -> str:
    """{"d": 8, "h": 3} -> "8 days, 3 hours" (units in order, empty ones left out)."""
    out = []
    for key, unit in _DURATION_UNITS.items():
        value = str(parts.get(key, "")).strip()
        if value and re.fullmatch(r"\d+(?:\.\d+)?", value):
            out.append(f"{value} {unit}" + ("" if value == "1" else "s"))
    return ", ".join(out)


def render_interval(start: str, end: str, show: str = "") -> str:
    """{{time interval|start|end|show=dhms}} as "8 days, 3 hours, ..."; "" if unreadable."""
    import datetime as _dt
    a, b = parse_date_text(start), parse_date_text(end)
    if not a or not b or not a["mo"] or not b["mo"]:
        return ""
    try:
        t0, t1 = ((_dt.datetime(x["y"], x["mo"], x["d"] or 1, x.get("h") or 0, x.get("mi") or 0,
                                x.get("s") or 0)) for x in (a, b))
    except ValueError:
        return ""
    secs = int(abs((t1 - t0).total_seconds()))
    keep = [k for k in ("d", "h", "m", "s") if k in (show or "dhms")] or ["d"]
    parts: dict[str, int] = {}
    for key in keep:
        size = {"d": 86400, "h": 3600, "m": 60, "s": 1}[key]
        parts[key], secs = divmod(secs, size)
    return render_parts({k: v for k, v in parts.items() if v or k == keep[-1]})


# --- entry points ------------------------------------------------------------------------------

def render_value(param: str, code: Wikicode,
                 on_infobox: Callable[[Template], None] | None = None) -> Value:
    """One infobox parameter as a Value. on_infobox is called for each nested infobox template
    (which renders as ""). lost is set when the rendered text is residue (is_lost) that the raw
    wikitext did not already say as such. Never raises on malformed wikitext."""
    ctx = Context(on_infobox)
    text, items = finish(ctx.render(code))
    raw = str(code).strip()
    # Residue only counts when rendering produced it: a plain "250px" is the editor's value.
    lost = is_lost(text) and text != clean_inline(raw)
    return Value(param=param, raw=raw, text=text, items=items, links=ctx.links, coords=ctx.coords,
                 quantities=ctx.quantities, citations=ctx.citations,
                 unknown_templates=ctx.unknown_templates, lost=lost)


def render_wikitext(wikitext: str) -> str:
    """Reader text of a small wikitext snippet (one template from the prose), one line, with
    apostrophes as APOS (clean_inline turns them back)."""
    code = _light_parse(wikitext) or mwparserfromhell.parse(wikitext, skip_style_tags=True)
    # Apostrophes stay protected: the caller strips '' markup around this text later.
    return finish(Context().render(code))[0].replace("'", APOS)


_NOT_LIGHT = re.compile(r"[\[\]<>&'\n]|\{\{.*\{\{|\}\}.*\}\}", re.S)


def _light_parse(wikitext: str) -> Wikicode | None:
    """A one-template snippet without markup inside ({{convert|47.5|lb|kg}}) built directly:
    a mwparserfromhell parse costs ~100 us and the prose has dozens of these snippets."""
    if not (wikitext.startswith("{{") and wikitext.endswith("}}")) or _NOT_LIGHT.search(wikitext):
        return None
    name, *parts = wikitext[2:-2].split("|")
    params, position = [], 0
    for part in parts:
        key, eq, val = part.partition("=")
        if not eq:
            position += 1
            key, val = str(position), part
        params.append(Parameter(_code(key), _code(val), showkey=bool(eq)))
    return _code_of(Template(_code(name), params))


def _code(text: str) -> Wikicode:
    return Wikicode(SmartList([Text(text)]))


def _code_of(node) -> Wikicode:
    return Wikicode(SmartList([node]))
