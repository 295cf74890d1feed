"""Wikimedia's User-Agent policy (https://meta.wikimedia.org/wiki/User-Agent_policy): every
client must give a way to reach its operator. `require_contact` refuses, before anything is
sent, a Wikimedia wiki asked with a User-Agent that names no real contact (an e-mail address, a
URL or a wiki user page whose domain is not a placeholder such as example.org). Other wikis are
not checked. The patterns are linear (no nested repetition).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# Wikimedia's User-Agent policy (https://meta.wikimedia.org/wiki/User-Agent_policy) asks every
# client for a User-Agent with a way to reach its operator; the placeholder CONTACT is not one.
WIKIMEDIA_DOMAINS = ("wikipedia.org", "wikimedia.org", "wikidata.org", "wiktionary.org",
                     "wikibooks.org", "wikinews.org", "wikiquote.org", "wikisource.org",
                     "wikiversity.org", "wikivoyage.org", "wikifunctions.org", "mediawiki.org")
PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net", "localhost", "invalid", "test")
_MAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_URL = re.compile(r"https?://([\w-]+(?:\.[\w-]+)*)")
_WIKI_USER = re.compile(r"\bUser(?:[ _]talk)?:[^\s;()/]+", re.I)


def is_wikimedia_host(host: str | None) -> bool:
    host = (host or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in WIKIMEDIA_DOMAINS)


def _placeholder(domain: str) -> bool:
    domain = domain.lower()
    return any(domain == d or domain.endswith("." + d) for d in PLACEHOLDER_DOMAINS)


def user_agent_problem(user_agent: str) -> str | None:
    """Why `user_agent` names no real contact (an e-mail address, a URL or a wiki user page
    whose domain is not a placeholder such as example.org), or None when it does."""
    contacts = [m.group(1) for m in _MAIL.finditer(user_agent)] + \
               [m.group(1) for m in _URL.finditer(user_agent)]
    if any(not _placeholder(d) for d in contacts if "." in d) or _WIKI_USER.search(user_agent):
        return None
    if contacts:
        return f"its contact ({', '.join(sorted(set(contacts)))}) is a placeholder"
    return "it names no contact (an e-mail address, a URL or a wiki user page)"


class ContactRequired(ValueError):
    """A Wikimedia host asked without a real contact in the User-Agent (nothing was sent)."""


def require_contact(api_url: str, user_agent: str) -> None:
    """Raise ContactRequired when api_url is a Wikimedia wiki and user_agent has no real contact."""
    host = urlsplit(api_url).hostname
    problem = user_agent_problem(user_agent) if is_wikimedia_host(host) else None
    if problem:
        raise ContactRequired(f"{host} is a Wikimedia wiki, whose User-Agent policy asks for a "
                              f"contact; the User-Agent {user_agent!r} will not do: {problem}")
