"""Crew legs of rendered articles, scored against expectations written by hand.

    python bench/rendered_eval.py DIR [--verbose]
    python bench/rendered_eval.py tests/data/rendered        # the fixtures in this repository

DIR holds rendered articles (any sub-folders) and `expected.json`: {file: {"launch": [...],
"landing": [...], "both": [...]}}, a person being a display name or [display, key] when the page
shows the link target; keys starting with "_" are comments. Each page goes through the real
pipeline (format detection, extract, transform, reconcile: pipeline.run.process) and each crew
row counts as (leg, person_key). Right = an expected row produced exactly once; the figure is
right / (right + missing + extra). Results of issue 15 on 31 real renderings (kept out of the
repository): 48.1 % before, 100 % after (bench/README.md).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.names import person_key
from pipeline.run import process
from pipeline.sources.files import read_file


@dataclass
class PageScore:
    file: str
    outcome: str
    reason: str | None
    right: int
    missing: list[tuple[str, str]]
    extra: list[tuple[str, str]]
    detail: dict = field(default_factory=dict)


@dataclass
class Score:
    pages: list[PageScore]

    @property
    def right(self) -> int:
        return sum(p.right for p in self.pages)

    @property
    def wrong(self) -> int:
        return sum(len(p.missing) + len(p.extra) for p in self.pages)

    @property
    def figure(self) -> float:
        total = self.right + self.wrong
        return self.right / total if total else 1.0


def expected_rows(spec: dict) -> Counter:
    rows: Counter = Counter()
    for leg_name, people in spec.items():
        legs = ("launch", "landing") if leg_name == "both" else (leg_name,)
        for person in people:
            name, key = person if isinstance(person, list) else (person, None)
            for leg in legs:
                rows[(leg, person_key(name, key))] += 1
    return rows


def score_page(path: Path, spec: dict) -> PageScore:
    result = process(read_file(path, path.parent, 20_000_000))
    bundle = result.bundle
    got = Counter((c["leg"], c["person_key"]) for c in (bundle.crew if bundle else []))
    want = expected_rows(spec)
    detail = {}
    if bundle is not None:
        row = bundle.row
        detail = {"names_list": row.get("names_list"),
                  "launch": (str(row.get("launch_utc")), row.get("launch_source")),
                  "landing": (str(row.get("landing_utc")), row.get("landing_source")),
                  "events": [(e["event"], str(e["utc"])[:19], e["source"]) for e in bundle.events],
                  "read": [f["value"] for f in bundle.facts if f["field"].startswith("read.")]}
    return PageScore(path.name, result.input_row["outcome"], result.input_row.get("reason"),
                     sum((got & want).values()), sorted((want - got).elements()),
                     sorted((got - want).elements()), detail)


def evaluate(folder: Path) -> Score:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return Score([score_page(folder / name, spec) for name, spec in expected.items()
                  if not name.startswith("_")])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    score = evaluate(args.dir)
    for page in score.pages:
        ok = not page.missing and not page.extra
        print(f"{'ok ' if ok else 'BAD'} {page.file:40s} {page.outcome:<11} right={page.right} "
              f"missing={len(page.missing)} extra={len(page.extra)}")
        if page.missing:
            print("      missing:", page.missing)
        if page.extra:
            print("      extra:  ", page.extra)
        if page.outcome != "curated":
            print("      reason: ", page.reason)
        if args.verbose:
            for key, value in page.detail.items():
                print(f"      {key}: {value}")
    perfect = sum(1 for p in score.pages if not p.missing and not p.extra)
    print(f"\ncrew legs right: {score.right}/{score.right + score.wrong} = {score.figure:.1%}; "
          f"pages fully right {perfect}/{len(score.pages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
