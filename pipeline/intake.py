"""What the driver keeps of each page's result, taken as the results come in (input order).

Every input is accounted for here exactly once, when its result arrives: a second input under
a source already seen, or a page whose title was read already, is replaced by its quarantine
result on the spot (the decisions need only the inputs before it), and the input's final
accounting row goes to the staged `inputs` parts (pipeline.parts.RowParts) with its
`infobox_params` rows (pipeline.parts.Staging). What stays in the driver until the tables are
built grows with the missions, not with the pages:

- the results that have rows in the tables built at the end (a mission or another mapped
  table's row, or a quarantine row), their `facts` as Arrow (parts.RowBuffer);
- per page, only its source (to recognise a duplicate) and the counts of outcomes.

A page without such rows (most pages of a dump) is let go once it is accounted for. The staged
`inputs` rows are amended at publish for inputs that validation holds back (`hold_back`), and
the run's fingerprint is read back from them (`fingerprint`).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.core import names
from pipeline.parts import RowBuffer, RowParts, Staging
from pipeline.schema import TABLES
from pipeline.transform.mapper import Bundle


@dataclass
class PageResult:
    """What one input contributed: its accounting row and its rows for every table."""

    input_row: dict
    params: list[dict] = field(default_factory=list)
    bundle: Bundle | None = None
    quarantine: list[dict] = field(default_factory=list)
    reused: bool = False
    others: list[Bundle] = field(default_factory=list)   # rows of other mapped tables (rockets, ...)
    # where `params` went once staged as a Parquet part (pipeline.parts): (part, page), and how
    # many rows; `params` is then empty
    params_at: tuple[str, int] | None = None
    n_params: int = 0

    def bundles(self) -> list[Bundle]:
        return ([self.bundle] if self.bundle else []) + self.others

    def rows(self) -> dict[str, list[dict]]:
        """This input's rows, by table (the tables it has rows in)."""
        out: dict[str, list[dict]] = {"inputs": [self.input_row], "infobox_params": list(self.params),
                                      "quarantine": list(self.quarantine)}
        for b in self.bundles():
            out.setdefault(b.table, []).append(b.row)
            for t, rows in (("crew", b.crew), ("events", b.events), ("facts", b.facts)):
                out.setdefault(t, []).extend(rows)
            out.setdefault("issues", []).extend(
                {"mission_id": i.mission_id, "table": b.table, "row_key": b.row[b.key],
                 "source": b.row["source"], "code": i.code, "field": i.field, "message": i.message}
                for i in b.issues)
        return out


def quarantined(source, fmt, title, stage, reason, excerpt, sha, rev_id=None) -> PageResult:
    """The result of an input quarantined at `stage` with `reason`."""
    row = {"source": source, "format": fmt, "outcome": "quarantined", "missions": 0, "reason": reason,
           "title": title, "sha256": sha, "rev_id": rev_id}
    q = {"source": source, "stage": stage, "reason": reason, "excerpt": excerpt or "", "row": None,
         "title": title}
    return PageResult(row, quarantine=[q])


def collect(results: list[PageResult], skip: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """The rows of `results` by table (every table of the schema but those in `skip`)."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES if name not in skip}
    for r in results:
        for table, part in r.rows().items():
            if table not in skip:
                rows[table].extend(part)
    return rows


class Intake:
    """The results of a run, taken one by one in input order (see the module docstring).

    take(result) for each result, then finish(); then `kept` (the results with rows in the
    tables built in the driver), `facts_table(run_id)`, `fingerprint()`, the counts
    (`outcomes`, `reused`, `inputs.added`), and `inputs` (the staged table, for publish)."""

    def __init__(self, staging: Staging):
        self.staging = staging
        self.inputs = RowParts("inputs", staging.folder)
        self.facts = RowBuffer("facts")
        self.kept: list[PageResult] = []
        self.outcomes: Counter = Counter()
        self.reused = 0
        self._seen: set[str] = set()                    # every source read (duplicates: _repeats)
        self._repeats: Counter = Counter()
        self._titles: dict[tuple[str, str], str] = {}   # (table, title) -> the source that has it
        self._owner: dict[int, int] = {}                # id(bundle) -> its number in self.facts
        self._renames: dict[tuple[int, str], str] = {}

    def take(self, result: PageResult) -> None:
        result = self.staging.take(result)      # its infobox_params rows: staged
        final = self._first_of_its_kind(result)
        if final is not result:
            self.staging.drop([result])         # its rows stay out of the table
        row = final.input_row
        self.inputs.add(row)
        self.outcomes[row["outcome"]] += 1
        self.reused += final.reused
        if final.bundle is not None or final.others or final.quarantine:
            self.kept.append(self._held(final))

    def _first_of_its_kind(self, r: PageResult) -> PageResult:
        """Every input once in the inputs table: a second input under a source already seen (two
        dump pages with one id, or one title and no id) is quarantined as `<source>#duplicate=N`,
        so neither the tables nor the next incremental run mix the two.

        A title read a second time (two files, or the two Unicode forms of "Été 1") is one page
        (pages are told apart by their normalised title: MediaWiki's rules, in NFC, as sources
        clean titles where they enter): the first input keeps it, a later one is quarantined as
        its duplicate."""
        row = r.input_row
        source = row["source"]
        if source in self._seen:
            self._repeats[source] += 1
            why = (f"duplicate input: {source} was read already (page id or title repeated in the "
                   "dump); the first one is kept")
            return quarantined(f"{source}#duplicate={self._repeats[source] + 1}", row["format"], row["title"],
                               "read", why, "", row["sha256"], row["rev_id"])
        self._seen.add(source)
        first = next((self._titles[(b.table, b.row["title"])] for b in r.bundles()
                      if (b.table, b.row["title"]) in self._titles), None)
        if first is not None:
            return quarantined(source, row["format"], row["title"], "transform",
                               f"duplicate page: the title {row['title']!r} is read from {first} "
                               "already (same normalised title); that one is kept",
                               "", row["sha256"], row["rev_id"])
        for b in r.bundles():
            self._titles[(b.table, b.row["title"])] = source
        return r

    def _held(self, result: PageResult) -> PageResult:
        """What the driver keeps of a result until the tables are built: the facts rows of each of
        its bundles go to `facts` (as Arrow, about a third of their size as dicts), numbered by
        the bundle's id(); the person index and the planned-marks evidence, which served
        reconcile in the worker and nothing reads later, are dropped (together about 40 of a
        mission's 55 KB)."""
        for b in result.bundles():
            self._owner[id(b)] = n = len(self._owner)
            self.facts.add(n, b.facts)
            b.facts, b.persons, b.evidence = [], names.PersonIndex(), []
        return result

    def finish(self) -> None:
        """All results are in: write what the buffers hold, and give every row id its final
        value (distinct_ids)."""
        self.staging.finish()
        self.inputs.finish()
        renamed: list = []
        distinct_ids(self.kept, renamed)
        self._renames = {(self._owner[id(b)], old): new for b, old, new in renamed}

    def facts_table(self, run_id: str) -> pa.Table:
        table = self.facts.table(run_id, set(self._owner.values()), self._renames)
        self.facts = RowBuffer("facts")
        return table

    def fingerprint(self) -> str:
        """SHA-256 of the inputs' content hashes (an input without one: its source), sorted: the
        same inputs give the same fingerprint, whatever their order. Read back from the staged
        rows (sorted in Arrow: UTF-8's byte order is code point order, as Python sorts)."""
        keys = []
        for t in self.inputs.read(["sha256", "source"]):
            sha = t["sha256"]
            keys.append(pc.if_else(pc.fill_null(pc.not_equal(sha, ""), False), sha, t["source"]))
        column = pa.chunked_array([c for k in keys for c in k.chunks], pa.string())
        column = column.take(pc.sort_indices(column))
        h = hashlib.sha256()
        first = True
        for chunk in column.chunks:
            for start in range(0, len(chunk), 65_536):
                text = "\n".join(chunk.slice(start, 65_536).to_pylist())
                h.update((text if first else "\n" + text).encode())
                first = False
        return h.hexdigest()

    def hold_back(self, reasons: dict[str, str]) -> None:
        """Inputs held back by validation (source -> the failed checks): their staged rows become
        quarantined ones at publish, and the counts follow."""
        self.inputs.amend({source: {"outcome": "quarantined", "missions": 0,
                                    "reason": "validation failed: " + why} for source, why in reasons.items()})
        for r in self.kept:
            if r.input_row["source"] in reasons:
                self.outcomes[r.input_row["outcome"]] -= 1
                self.outcomes["quarantined"] += 1


def distinct_ids(results: list[PageResult], renamed: list | None = None) -> list[PageResult]:
    """Row ids (mission_id, rocket_id) are slugs of the title, and a slug loses case, accents and
    punctuation: "Apollo 11", "APOLLO 11" and "Apollo-11" are one slug. Where different titles
    (duplicates are quarantined already: Intake) share a slug, each gets the slug plus 8 hex
    digits of its title's SHA-1, in every row that names it. Idempotent: reused rows are keyed
    again from their titles. Each renamed bundle is appended to `renamed` as (bundle, old id,
    new id) (for rows held elsewhere)."""
    groups: dict[tuple[str, str], list[Bundle]] = {}
    for r in results:
        for b in r.bundles():
            groups.setdefault((b.table, names.mission_slug(b.row["title"])), []).append(b)
    for (_, slug), bundles in groups.items():
        clash = len({b.row["title"] for b in bundles}) > 1
        for b in bundles:
            new = f"{slug}-{hashlib.sha1(b.row['title'].encode('utf-8')).hexdigest()[:8]}" if clash else slug
            old = b.row[b.key]
            if new == old:
                continue
            b.row[b.key] = new
            if renamed is not None:
                renamed.append((b, old, new))
            for row in (*b.crew, *b.events, *b.facts):
                if row.get("mission_id") == old:
                    row["mission_id"] = new
            for issue in b.issues:
                if issue.mission_id == old:
                    issue.mission_id = new
    return results
