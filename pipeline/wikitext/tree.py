"""mwparserfromhell trees, built faster: the same tokenizer, a leaner builder.

mwparserfromhell.parse() spends about nine tenths of its time in its pure-Python Builder, and
most of that in the property setters of the node classes, which call parse_anything() (with
four function-level imports) on values that are Wikicode already. parse() here runs
mwparserfromhell's own tokenizer (the C one when installed) and builds the very same tree, node
for node and attribute for attribute, by filling the nodes' fields directly: about three times
faster on an infobox. The rules mirrored are those of mwparserfromhell 0.7's
parser/builder.py and of the node constructors it calls (for example an absent tag body is an
empty Wikicode, and a tag's closing name is the same object as its name). Two differences,
both because the extractor reads trees and never edits them: the Wikicode objects built here
remember their text once asked for it (an edited tree would print stale text), and their
node lists are plain lists, not SmartLists.

The node fields are private to mwparserfromhell, so the first call checks the lean builder
against mwparserfromhell.parse() on a sample that has every kind of node; if the two differ
(another mwparserfromhell release), parse() falls back to mwparserfromhell.parse() for good.
Any error in the lean builder also falls back to mwparserfromhell.parse() for that text, so bad
input behaves exactly as it does there.
"""
from __future__ import annotations

import mwparserfromhell
from mwparserfromhell.nodes import (Argument, Comment, ExternalLink, Heading, HTMLEntity, Tag,
                                    Template, Text, Wikilink)
from mwparserfromhell.nodes.extras import Attribute, Parameter
from mwparserfromhell.parser import tokens as T
from mwparserfromhell.wikicode import Wikicode

try:
    from mwparserfromhell.parser._tokenizer import CTokenizer as _Tokenizer
except ImportError:  # pragma: no cover - the pure-Python tokenizer gives the same tokens
    from mwparserfromhell.parser.tokenizer import Tokenizer as _Tokenizer

__all__ = ["code", "first_argument_head", "first_argument_text", "parse", "same_tree", "template", "text_code",
           "to_str"]

_new = object.__new__


class _Missed(Exception):
    """The token stream ended inside a construct (mwparserfromhell raises ParserError)."""


class _Code(Wikicode):
    """A Wikicode that remembers its text: the trees built here are read, never edited, and
    rendering asks for the text of the same value, name or ref several times."""

    def __str__(self) -> str:
        d = self.__dict__
        s = d.get("_text")
        if s is None:
            s = d["_text"] = _joined(self._nodes)
        return s


def _joined(nodes: list) -> str:
    """The text of a node list: str() of each node joined, with the text of the commonest nodes
    (text, templates and their parameters, wikilinks) put together here from their fields, as
    their __str__ (mwparserfromhell 0.7) does, without its property calls."""
    parts = []
    append = parts.append
    for node in nodes:
        cls = type(node)
        if cls is Text:
            append(node._value)
        elif cls is Template:
            append("{{")
            append(str(node._name))
            for p in node._params:
                append("|")
                if p._showkey:
                    append(str(p._name))
                    append("=")
                append(str(p._value))
            append("}}")
        elif cls is Wikilink:
            append("[[")
            append(str(node._title))
            if node._text is not None:
                append("|")
                append(str(node._text))
            append("]]")
        else:
            append(str(node))
    return "".join(parts)


def code(nodes: list) -> Wikicode:
    """A Wikicode over a list of nodes (no parsing); the Wikicode takes the list as it is.

    The list stays a plain list where mwparserfromhell makes a SmartList (whose slices follow
    edits of the parent list): these trees are read, never edited, and a SmartList costs as
    much to make as the rest of a small Wikicode."""
    w = _new(_Code)
    w._nodes = nodes
    return w


def to_str(code: Wikicode) -> str:
    """str(code), without the detour when it is one Text node (a template or parameter name)."""
    nodes = code.nodes
    if len(nodes) == 1:
        (node,) = nodes
        if type(node) is Text:
            return node.value
    return str(code)


def text_code(value: str) -> Wikicode:
    """A Wikicode holding one Text node (no parsing)."""
    t = _new(Text)
    t._value = value
    return code([t])


def _text(tok) -> Text:
    t = _new(Text)
    t._value = tok.get("text")
    return t


def _collect(pop, stops, _text_token=T.Text, _new=_new, _Text=Text):
    """Nodes up to the next token whose type is in stops; returns (nodes, that token)."""
    nodes = []
    append = nodes.append
    while True:
        try:
            tok = pop()
        except IndexError:
            raise _Missed from None
        cls = type(tok)
        if cls is _text_token:
            t = _new(_Text)
            t._value = tok.get("text")
            append(t)
        elif cls in stops:
            return nodes, tok
        else:
            append(_HANDLERS[cls](pop, tok))


_PARAM_STOPS = frozenset({T.TemplateParamEquals, T.TemplateParamSeparator, T.TemplateClose})
_NAME_STOPS = frozenset({T.TemplateParamSeparator, T.TemplateClose})


def _template(pop, tok, _collect=_collect, _new=_new, _Code=_Code, _Parameter=Parameter,
              _Template=Template, _separator=T.TemplateParamSeparator, _equals=T.TemplateParamEquals,
              _name_stops=_NAME_STOPS, _param_stops=_PARAM_STOPS) -> Template:
    # (code() written out: a template's name, keys and values are most of a box's Wikicodes)
    nodes, tok = _collect(pop, _name_stops)
    name = _new(_Code)
    name._nodes = nodes
    params = []
    default = 1
    while type(tok) is _separator:
        key = None
        nodes, tok = _collect(pop, _param_stops)
        while type(tok) is _equals:
            key = _new(_Code)
            key._nodes = nodes
            nodes, tok = _collect(pop, _param_stops)
        value = _new(_Code)
        value._nodes = nodes
        p = _new(_Parameter)
        p._value = value
        if key is None:
            p._name = text_code(str(default))
            p._showkey = False
            default += 1
        else:
            p._name = key
            p._showkey = True
        params.append(p)
    t = _new(_Template)
    t._name = name
    t._params = params
    return t


_ARG_STOPS = frozenset({T.ArgumentSeparator, T.ArgumentClose})


def _last_two(pop, stops: frozenset, separator: type) -> tuple[Wikicode | None, Wikicode]:
    """The parts of {{{a|b}}} or [[a|b]] up to the closing token: (first, last), where a part
    beyond two joins the last as MediaWiki reads it (first None when there is one part)."""
    first = None
    nodes, tok = _collect(pop, stops)
    while type(tok) is separator:
        first = code(nodes)
        nodes, tok = _collect(pop, stops)
    return first, code(nodes)


def _argument(pop, tok) -> Argument:
    name, rest = _last_two(pop, _ARG_STOPS, T.ArgumentSeparator)
    a = _new(Argument)
    if name is not None:
        a._name, a._default = name, rest
    else:
        a._name, a._default = rest, None
    return a


_LINK_STOPS = frozenset({T.WikilinkSeparator, T.WikilinkClose})


def _wikilink(pop, tok) -> Wikilink:
    title, rest = _last_two(pop, _LINK_STOPS, T.WikilinkSeparator)
    w = _new(Wikilink)
    if title is not None:
        w._title, w._text = title, rest
    else:
        w._title, w._text = rest, None
    return w


_EXT_STOPS = frozenset({T.ExternalLinkSeparator, T.ExternalLinkClose})


def _external_link(pop, tok) -> ExternalLink:
    brackets = tok.get("brackets")
    url = suppress = None
    nodes, tok = _collect(pop, _EXT_STOPS)
    while type(tok) is T.ExternalLinkSeparator:
        url = code(nodes)
        suppress = tok.get("suppress_space")
        nodes, tok = _collect(pop, _EXT_STOPS)
    e = _new(ExternalLink)
    if url is not None:
        e._url, e._title = url, code(nodes)
    else:
        e._url, e._title = code(nodes), None
    e._brackets = bool(brackets)
    e.suppress_space = suppress is True
    return e


def _entity(pop, tok) -> HTMLEntity:
    e = _new(HTMLEntity)
    tok = pop()
    if type(tok) is T.HTMLEntityNumeric:
        tok = pop()
        if type(tok) is T.HTMLEntityHex:
            text = pop()
            pop()  # HTMLEntityEnd
            e._value, e._named, e._hexadecimal = text.get("text"), False, True
            e._hex_char = tok.get("char")
            return e
        pop()
        e._value, e._named, e._hexadecimal, e._hex_char = tok.get("text"), False, False, "x"
        return e
    pop()
    e._value, e._named, e._hexadecimal, e._hex_char = tok.get("text"), True, False, "x"
    return e


_HEADING_STOPS = frozenset({T.HeadingEnd})


def _heading(pop, tok) -> Heading:
    level = int(tok.get("level"))
    if not 1 <= level <= 6:
        raise ValueError(level)
    nodes, _ = _collect(pop, _HEADING_STOPS)
    h = _new(Heading)
    h._title, h._level = code(nodes), level
    return h


_COMMENT_STOPS = frozenset({T.CommentEnd})


def _comment(pop, tok) -> Comment:
    nodes, _ = _collect(pop, _COMMENT_STOPS)
    c = _new(Comment)
    c._contents = "".join(str(n) for n in nodes)
    return c


_ATTR_STOPS = frozenset({T.TagAttrEquals, T.TagAttrQuote, T.TagAttrStart, T.TagCloseOpen,
                         T.TagCloseSelfclose})
_ATTR_END = (T.TagAttrStart, T.TagCloseOpen, T.TagCloseSelfclose)


def _pad(value) -> str:
    if not value:
        return ""
    value = str(value)
    if not value.isspace():
        raise ValueError("padding must be entirely whitespace")
    return value


def _attribute(pop, start):
    """An attribute; returns it and the token that ended it (next attribute or tag end)."""
    name = quotes = None
    nodes = []
    while True:
        more, tok = _collect(pop, _ATTR_STOPS)
        nodes += more
        cls = type(tok)
        if cls is T.TagAttrEquals:
            name, nodes = code(nodes), []
        elif cls is T.TagAttrQuote:
            quotes = tok.get("char")
        else:
            break
    a = _new(Attribute)
    if name:
        a._name, a._value = name, code(nodes)
    else:
        a._name, a._value = code(nodes), None
    q = str(quotes) if quotes else None
    if q not in (None, '"', "'"):
        raise ValueError(f"{quotes!r} is not a valid quote type")
    a._quotes = q
    a._pad_first = _pad(start.get("pad_first"))
    a._pad_before_eq = _pad(start.get("pad_before_eq"))
    a._pad_after_eq = _pad(start.get("pad_after_eq"))
    return a, tok


_TAG_STOPS = frozenset({T.TagAttrStart, T.TagCloseOpen, T.TagOpenClose, T.TagCloseSelfclose,
                        T.TagCloseClose})


def _tag(pop, tok) -> Tag:
    tag = None
    padding = None
    implicit, attrs, contents, closing_tag = False, [], None, None
    wiki_markup, invalid = tok.get("wiki_markup"), tok.get("invalid") or False
    wiki_style_separator, closing_wiki_markup = None, wiki_markup
    nodes = []
    while True:
        more, tok = _collect(pop, _TAG_STOPS)
        nodes += more
        while type(tok) is T.TagAttrStart:
            attr, tok = _attribute(pop, tok)
            attrs.append(attr)
        cls = type(tok)
        if cls is T.TagCloseOpen:
            wiki_style_separator = tok.get("wiki_markup")
            padding = tok.get("padding") or ""
            tag, nodes = code(nodes), []
        elif cls is T.TagOpenClose:
            closing_wiki_markup = tok.get("wiki_markup")
            contents, nodes = code(nodes), []
        elif cls is T.TagCloseSelfclose:
            closing_wiki_markup = tok.get("wiki_markup")
            tag = code(nodes)
            self_closing = True
            padding = tok.get("padding") or ""
            implicit = tok.get("implicit") or False
            break
        elif cls is T.TagCloseClose:
            self_closing = False
            closing_tag = code(nodes)
            break
        else:  # a token the stops do not allow here: mwparserfromhell would fail too
            raise _Missed
    if tag is None or padding is None:
        raise _Missed
    t = _new(Tag)
    t._tag = t._closing_tag = tag
    t._contents = contents if contents is not None else code([])
    t._attrs = attrs if attrs else []
    t._wiki_markup = str(wiki_markup) if wiki_markup else None
    t._closing_wiki_markup = t._wiki_markup
    t._self_closing = bool(self_closing)
    t._invalid = bool(invalid)
    t._implicit = bool(implicit)
    t._padding = _pad(padding)
    if closing_tag is not None:
        t._closing_tag = closing_tag
    t._wiki_style_separator = str(wiki_style_separator) if wiki_style_separator else None
    if closing_wiki_markup is not None:
        t._closing_wiki_markup = str(closing_wiki_markup) if closing_wiki_markup else None
    return t


_HANDLERS = {
    T.TemplateOpen: _template,
    T.ArgumentOpen: _argument,
    T.WikilinkOpen: _wikilink,
    T.ExternalLinkOpen: _external_link,
    T.HTMLEntityStart: _entity,
    T.HeadingStart: _heading,
    T.CommentStart: _comment,
    T.TagOpenOpen: _tag,
}


def _lean(text: str, skip_style_tags: bool) -> Wikicode:
    tokens = _Tokenizer().tokenize(text, 0, skip_style_tags)
    tokens.reverse()
    pop = tokens.pop
    nodes = []
    while tokens:
        tok = pop()
        cls = type(tok)
        nodes.append(_text(tok) if cls is T.Text else _HANDLERS[cls](pop, tok))
    return code(nodes)


_checked: bool | None = None  # None: not yet compared with mwparserfromhell; False: use it


def parse(text: str, skip_style_tags: bool = False) -> Wikicode:
    """mwparserfromhell.parse(text, skip_style_tags=...), built faster (see the module doc).

    Bad input: whatever mwparserfromhell does with it (this falls back to it on any error)."""
    global _checked
    if _checked is None:
        _checked = _self_check()
    if _checked:
        try:
            return _lean(text, skip_style_tags)
        except Exception:
            pass
    return mwparserfromhell.parse(text, skip_style_tags=skip_style_tags)


def same_tree(a, b) -> bool:
    """True when two mwparserfromhell trees are equal node for node and field for field."""
    if type(a) is not type(b) and not (isinstance(a, Wikicode) and isinstance(b, Wikicode)):
        return False
    if isinstance(a, Wikicode) and isinstance(b, Wikicode):
        return len(a.nodes) == len(b.nodes) and all(same_tree(x, y) for x, y in zip(a.nodes, b.nodes))
    if isinstance(a, list):
        return len(a) == len(b) and all(same_tree(x, y) for x, y in zip(a, b))
    if hasattr(a, "__dict__") and not isinstance(a, (str, int, bool)):
        da = {k: v for k, v in vars(a).items() if k != "_text"}
        db = {k: v for k, v in vars(b).items() if k != "_text"}
        if da.keys() != db.keys():
            return False
        if isinstance(a, Tag) and (a._closing_tag is a._tag) != (b._closing_tag is b._tag):
            return False
        return all(same_tree(da[k], db[k]) for k in da)
    return a == b


_SAMPLE = (
    "{{Infobox spaceflight|name=X|  mass = {{convert|1|lb|kg}}<ref name=\"a\">{{cite web|url=u"
    "|title=T}}</ref><ref name='b' />|3|[[A|b]] [[C]] [http://x.org y] [//z] http://w.org "
    "&nbsp;&#39;&#x41;<!-- c -->{{{arg|def}}}{{{bare}}}<br/><br><span style=\"x y\">s</span>"
    "\n* item\n# two\n: three\n; four\n----\n== H ==\n{| class=x\n| cell\n|}\n''i'' '''b'''"
    "<nowiki>{{x}}</nowiki><pre>p</pre>{{x|a=b=c}}[[File:x.jpg|thumb|{{y}}]]}}"
)


def _self_check() -> bool:
    try:
        for skip in (True, False):
            reference = mwparserfromhell.parse(_SAMPLE, skip_style_tags=skip)
            if not same_tree(_lean(_SAMPLE, skip), reference):
                return False
        return True
    except Exception:
        return False


def template(name: str, params: list[tuple[str, str, bool]]) -> Template:
    """A Template node from plain strings: params are (key, value, showkey) (no parsing)."""
    out = []
    for key, value, showkey in params:
        p = _new(Parameter)
        p._name, p._value, p._showkey = text_code(key), text_code(value), showkey
        out.append(p)
    t = _new(Template)
    t._name, t._params = text_code(name), out
    return t


def first_argument_head(text: str, skip_style_tags: bool = True) -> str | None:
    """For a one-template snippet: the text that its first parameter starts with, when that
    parameter is positional and starts with plain text; else None. Uses only the tokenizer
    (no tree), so it is cheap even for a long {{quote}}."""
    try:
        tokens = _Tokenizer().tokenize(text, 0, skip_style_tags)
    except Exception:
        return None
    if not tokens or type(tokens[0]) is not T.TemplateOpen:
        return None
    depth, head, in_first = 0, None, False
    for i, tok in enumerate(tokens):
        cls = type(tok)
        if cls is T.TemplateOpen:
            depth += 1
        elif cls is T.TemplateClose:
            depth -= 1
            if depth == 0:
                return head if in_first else None
        elif depth == 1 and cls is T.TemplateParamSeparator:
            if in_first:
                return head
            in_first = True
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if type(nxt) is not T.Text:
                return None
            head = nxt.get("text")
        elif depth == 1 and in_first and cls is T.TemplateParamEquals:
            return None
    return None


def first_argument_text(code: Wikicode) -> str | None:
    """first_argument_head(text) read from code = parse(text, skip_style_tags=True) instead of
    from the tokens: the tree is built from the very same tokens, its first node is a Template
    exactly when the tokens start with TemplateOpen, its first parameter is positional exactly
    when no TemplateParamEquals comes (at the template's own depth) before the next separator,
    and the first node of its value is a Text exactly when the token after the separator is
    one, with that token's text."""
    nodes = code.nodes
    if not nodes or type(nodes[0]) is not Template or not nodes[0].params:
        return None
    first = nodes[0].params[0]
    if first.showkey:
        return None
    value = first.value.nodes
    return value[0].value if value and type(value[0]) is Text else None
