"""One person_key per person across a run (crew and events of every page).

A page keys a person by the wikilink target where it links one ("Peggy A. Whitson" when the
page links [[Peggy A. Whitson]], a redirect), else by the name as written; other pages write
the same person differently ("Peggy Whitson"). After all pages are mapped, compatible forms of
one name are given one key (pipeline.core.names.unify_person_keys: same given name and surname,
middle names and initials that agree, no two different disambiguators), preferring a key that
is a link target. Homonyms whose middle initials differ ("Gregory H. Johnson", "Gregory C.
Johnson") keep their own keys.

Error policy: rows without a person_key are left alone; nothing raises.
"""
from __future__ import annotations

from pipeline.core import names


def unify_person_keys(rows: dict[str, list[dict]]) -> dict[str, str]:
    """Rewrite person_key in rows["crew"] and rows["events"] to one key per person; returns the
    mapping applied ({old key: new key})."""
    crew = rows.get("crew", [])
    # a key that is not the name's own key came from a link target
    mentions = [(c.get("person_key"), c.get("person_key") != names.person_key(c.get("person") or ""))
                for c in crew]
    mapping = names.unify_person_keys(mentions)
    if not mapping:
        return mapping
    for table in ("crew", "events"):
        for r in rows.get(table, []):
            key = r.get("person_key")
            if key in mapping:
                r["person_key"] = mapping[key]
    return mapping
