"""Typed coverage of key infobox parameters, and the templates still unknown, for a folder.

    python bench/coverage.py [FOLDER] [--examples N] [--all] [--fail-under PCT] [--json]
    make coverage                       # FOLDER = ../shared/corpus/wikitext/current

For every input of FOLDER (read like raw/: pipeline.sources.files) the page goes through the
project's own entry points: pipeline.extract.extract_page for the infobox values and
pipeline.run.process for the missions row (extract, transform, reconcile), so the figures are
what a run would publish before validation; the mission box is the one the mapper picks
(pipeline.transform.mapper.find_boxes).

A key parameter is *filled* when the mapping's parameter for the column (the first of its
names that has one, as the mapper picks it) shows a reader something: text, coordinates, or a
template the renderer does not know. It is *typed* when the column (or, for a place, its
latitude) is non-null in the missions row. The share is typed / filled per column and over all
key columns; the untyped values are listed with their file so that each gap can be looked at.

Unknown templates are counted twice: in mapped columns (the `unknown_template` issues of the
rows) and in every parameter of every infobox (Value.unknown_templates).

Exit code 0, or 1 with --fail-under when the overall share is below it (for CI).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extract import extract_page  # noqa: E402
from pipeline.run import process  # noqa: E402
from pipeline.schema import TABLES  # noqa: E402
from pipeline.sources.files import ReadFailure, list_inputs, read_file  # noqa: E402
from pipeline.transform.mapper import find_boxes  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus" / "wikitext" / "current"
# The key columns of the missions table (issue 14: launch and landing instants, site, rocket,
# operator, spacecraft, COSPAR id, duration, orbit figures, masses), each with the row columns
# that count as typed for it: a place is typed by its name or its coordinates; an instant may
# be kept apart as a planned one (columns that the schema does not have are skipped).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "launch_utc": ("launch_utc", "launch_planned_utc", "planned_launch_utc"),
    "landing_utc": ("landing_utc", "landing_planned_utc", "planned_landing_utc"),
    "launch_site": ("launch_site", "launch_lat"),
    "landing_site": ("landing_site", "landing_lat"),
    "launch_rocket": ("launch_rocket",),
    "operator": ("operator",),
    "spacecraft": ("spacecraft",),
    "cospar_id": ("cospar_id",),
    "duration_s": ("duration_s", "duration_planned_s", "planned_duration_s"),
    "perigee_km": ("perigee_km",),
    "apogee_km": ("apogee_km",),
    "inclination_deg": ("inclination_deg",),
    "period_min": ("period_min",),
    "semi_major_axis_km": ("semi_major_axis_km",),
    "eccentricity": ("eccentricity",),
    "launch_mass_kg": ("launch_mass_kg",),
    "landing_mass_kg": ("landing_mass_kg",),
    "dry_mass_kg": ("dry_mass_kg",),
    "payload_mass_kg": ("payload_mass_kg",),
}


def _shown(value) -> bool:
    """The value shows a reader something (or holds a template the renderer does not know)."""
    return bool(value.text or value.coords or value.unknown_templates or value.lost)


def _typed(row: dict, columns: tuple[str, ...]) -> bool:
    # a planned or still-running value ("Pacific Ocean (planned)", "(in progress)") is typed where
    # planned values go: missions.planned_fields names the column, facts hold `<column>.planned`
    if columns and columns[0] in (row.get("planned_fields") or ()):
        return True
    for c in columns:
        v = row.get(c)
        if v is not None and v == v and v != [] and v != "":  # v == v: not NaN
            return True
    return False


def measure(folder: Path, every_column: bool = False) -> dict:
    """The coverage figures of one folder (see the module docstring). every_column: also the
    other mapped columns of missions (listed after the key ones, not in the total)."""
    known = set(TABLES["missions"].names)
    keys = {col: tuple(c for c in cols if c in known) for col, cols in KEY_COLUMNS.items()}
    order = list(KEY_COLUMNS)
    filled: Counter = Counter()
    typed: Counter = Counter()
    untyped: dict[str, list] = defaultdict(list)
    unknown_mapped: Counter = Counter()
    unknown_all: Counter = Counter()
    pages = missions = 0
    for path in list_inputs(folder):
        item = read_file(path, folder, 20_000_000)
        if isinstance(item, ReadFailure):
            continue
        pages += 1
        page = extract_page(item)
        for box in page.infoboxes:
            for v in box.params.values():
                unknown_all.update(v.unknown_templates)
        result = process(item)
        bundle = result.bundle
        if bundle is None:
            continue
        missions += 1
        for issue in bundle.issues:
            if issue.code == "unknown_template":
                unknown_mapped[issue.message.split("}}")[0].lstrip("{")] += 1
        main, mapping = next(((b, m) for b, m in find_boxes(page) if m.table == "missions"),
                             (None, None))
        if main is None:
            continue
        params = dict(main.params)
        for box in page.infoboxes:  # boxes the mapping merges into the main one (footers)
            if box is not main and mapping.nested.get(box.template, {}).get("merge"):
                for k, v in box.params.items():
                    params.setdefault(k, v)
        for col in mapping.columns:
            if col.name not in keys:
                if not every_column or col.name not in known:
                    continue
                keys[col.name] = (col.name,)
                order.append(col.name)
            value = next((params[p] for p in col.params if p in params and _shown(params[p])), None)
            if value is None:
                continue
            filled[col.name] += 1
            if _typed(bundle.row, keys[col.name] or (col.name,)):
                typed[col.name] += 1
            else:
                raw = " ".join(value.raw.split())[:120]
                untyped[col.name].append((path.name, raw, value.text[:80]))
    total_filled = sum(filled[c] for c in KEY_COLUMNS)
    total_typed = sum(typed[c] for c in KEY_COLUMNS)
    return {
        "folder": str(folder), "pages": pages, "missions": missions,
        "columns": {c: {"filled": filled[c], "typed": typed[c],
                        "share": round(100 * typed[c] / filled[c], 2) if filled[c] else None,
                        "untyped": untyped[c], "key": c in KEY_COLUMNS} for c in order},
        "total": {"filled": total_filled, "typed": total_typed,
                  "share": round(100 * total_typed / total_filled, 2) if total_filled else None},
        "unknown_templates_mapped": dict(unknown_mapped.most_common()),
        "unknown_templates_all": dict(unknown_all.most_common()),
    }


def report(figures: dict, examples: int) -> str:
    out = [f"{figures['folder']}: {figures['pages']} pages, {figures['missions']} missions",
           "", f"{'column':22} {'typed':>6} {'filled':>6} {'share':>7}"]
    rows = [(c, f) for c, f in figures["columns"].items() if f["filled"]]
    for col, f in rows:
        if f["key"]:
            out.append(f"{col:22} {f['typed']:6d} {f['filled']:6d} {f['share']:6.2f}%")
    t = figures["total"]
    share = f"{t['share']:6.2f}%" if t["share"] is not None else "    n/a"
    out += [f"{'all key columns':22} {t['typed']:6d} {t['filled']:6d} {share}", ""]
    others = [(c, f) for c, f in rows if not f["key"]]
    if others:
        out.append("other mapped columns (not in the total):")
        out += [f"{col:22} {f['typed']:6d} {f['filled']:6d} {f['share']:6.2f}%"
                for col, f in others]
        out.append("")
    gaps = [(c, f["untyped"]) for c, f in figures["columns"].items() if f["untyped"]]
    if gaps and examples:
        out.append("untyped (file | raw | rendered text):")
        for col, rows in gaps:
            for name, raw, text in rows[:examples]:
                out.append(f"  {col:20} {name} | {raw} | {text!r}")
            if len(rows) > examples:
                out.append(f"  {col:20} ... {len(rows) - examples} more")
        out.append("")
    for key, label in (("unknown_templates_mapped", "unknown templates in mapped columns"),
                       ("unknown_templates_all", "unknown templates in any infobox parameter")):
        found = figures[key]
        out.append(f"{label}: " + (", ".join(f"{n} {c}" for n, c in found.items()) or "none"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="example: python bench/coverage.py "
                                        "../shared/corpus/wikitext/current --all")
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER,
                    help="folder of wikitext inputs (default: %(default)s)")
    ap.add_argument("--examples", type=int, default=5,
                    help="untyped values listed per column (default 5; 0: none)")
    ap.add_argument("--fail-under", type=float, default=None,
                    help="exit 1 when the share over all key columns is below this percentage")
    ap.add_argument("--all", action="store_true",
                    help="also every other mapped column of missions (not in the total)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"coverage: {args.folder} is not a folder", file=sys.stderr)
        return 2
    figures = measure(args.folder, every_column=args.all)
    print(json.dumps(figures, indent=1, ensure_ascii=False) if args.json
          else report(figures, args.examples))
    share = figures["total"]["share"]
    if args.fail_under is not None and (share is None or share < args.fail_under):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
