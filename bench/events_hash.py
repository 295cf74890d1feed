"""A hash of every prose event (and every sentence and date read on the way) one checkout
gives, page by page, to show that two checkouts read prose the same (an optimisation of the
prose event reader must not change one field).

    python bench/events_hash.py CHECKOUT OUT.txt [--missions 200] [--random 3000]
    diff BASE.txt NEW.txt            # no output: the same events, sentences and dates everywhere

Pages: the first --missions mission pages of bench/scratch/corpus-2000 (built by `bench/run.py
--small`; Apollo 11/8 replicas with shifted years), every file of the shared corpus's wikitext/
folders and of raw/ read as the pipeline reads them, then --random made-up pages (a fixed seed)
of sections whose sentences mix dates, times, zones, relative phrases, month names,
abbreviations, trigger words and mission names, read with made-up titles, aliases, other
missions and launches. For each page: `extract_events` called as reconcile calls it (the
mission's row, when the page has one), `reconcile`'s bundle (events, issues, row), and for
every paragraph its `split_sentences` and for every sentence `find_dates` with no anchor and
two anchors (relative phrases on and off), `find_relative`, `event_relative` and `date_range`.
One line per page: its source, the number of events and the sha256 of all that; the last line
hashes every line.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "corpus" / "wikitext"

_CHILD = r"""
import hashlib, random, sys
from datetime import datetime, timezone
from pathlib import Path
root, bench, shared, n_missions, n_random, seed = (Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]),
                                                   int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
sys.path.insert(0, str(root))
from pipeline.core.instants import Instant
from pipeline.extract import extract_page
from pipeline.extract.prose import extract_events
from pipeline.extract.prose_traps import date_range
from pipeline.extract.sentences import event_relative, find_dates, find_relative, split_sentences
from pipeline.records import RawInput, Section
from pipeline.sources import iter_inputs
from pipeline.sources.dump import iter_dump
from pipeline.transform.mapper import map_page
from pipeline.transform.reconcile import _aliases, reconcile
from pipeline.wikitext.scan import may_have_infobox
assert Path(sys.modules["pipeline"].__file__).parent == root / "pipeline"

ANCHORS = [Instant(datetime(1969, 7, 16, 13, 32, tzinfo=timezone.utc), "minute"),
           Instant(datetime(2024, 3, 1, tzinfo=timezone.utc), "month")]

def raw_pages():
    dump = bench / "scratch" / "corpus-2000" / "pages-articles.xml.bz2"
    n = 0
    for item in iter_dump(dump):
        if n == n_missions:
            break
        if isinstance(item, RawInput) and may_have_infobox(item.content):
            n += 1
            yield item
    for folder in (*sorted(p for p in shared.iterdir() if p.is_dir()), root / "raw"):
        yield from iter_inputs(folder, 50_000_000)

def sentence_reads(h, sections):
    for s in sections:
        text = s.text if isinstance(s.text, str) else ""
        for paragraph in text.splitlines():
            sentences = split_sentences(paragraph)
            h.update(repr(sentences).encode("utf-8", "surrogatepass"))
            for sentence in sentences:
                out = [find_dates(sentence), event_relative(sentence), date_range(sentence)]
                for anchor in ANCHORS:
                    out += [find_dates(sentence, anchor), find_dates(sentence, anchor, relative=False),
                            find_relative(sentence, anchor)]
                h.update(repr(out).encode("utf-8", "surrogatepass"))

WORDS = ["launched", "was launched", "lifted off", "liftoff", "launch", "the launch", "landed",
         "landing", "splashdown", "splashed down", "touched down", "docked", "docking", "undocked",
         "spacewalk", "space walk", "EVA", "entered lunar orbit", "orbital insertion", "returned to Earth",
         "broke the record", "became the first person to", "second attempt", "scrubbed", "postponed",
         "failed", "due to a leak", "took place", "on", "at", "in", "during", "the", "and", "but",
         "the crew", "Armstrong", "He", "She", "Neil A. Armstrong", "Dr. Smith", "No. 5", "U.S.",
         "approx.", "Jr.", "the next day", "the following morning", "two days later", "a week later",
         "that day", "later that evening", "the previous night", "3 days earlier", "the day before the launch",
         "hours after landing", "six hours later", "since", "than", "until", "before", "after",
         "Apollo 11", "Apollo 12", "Soyuz MS-25", "MS-24", "MS-26", "STS-4", "Crew-8", "ISS 72S",
         "Soyuz 72S", "also known as", "(", ")", ",", ";", " \u2013 ", "flight", "mission",
         "July 16, 1969", "16 July 1969", "July 16", "16 July", "20th of July", "Sept. 3", "Sep 3, 2024",
         "March 2024", "in 1969", "during early 1969", "Chaikin 1994", "1969", "2024-03-23",
         "23 March 2024", "8\u201320 December 2021", "December 8\u201320, 2021", "30 May \u2013 2 August 2020",
         "May 30 \u2013 August 2, 2020", "13:32 UTC", "13:32:00 UTC", "20:17:40 UTC on Sunday July 20",
         "7:51:00 a.m. Eastern Standard Time", "9:32 a.m. EDT", "at 16:22:13 UTC", "13:32 UTC+3",
         "Moscow Time", "midnight", "Monday, ", "Friday", "UTC", "GMT", "MSK", "p.m.", "local time",
         "51.66", "2000 km", "the ISS", "arrived at the ISS", "separated from the Command Module",
         "stepped onto the lunar surface", "from the lunar surface", "the Moon", "the Pacific",
         "\u017fep 16, 1969", "Moscow t\u0131me", "\u00a0", "\u2009", "31 February 2020", "25:00 UTC",
         "Eastern", "Tranquility", "recovery", "respectively", "or"]
ENDS = [".", ".", ".", "!", "?", ". ", ".\"", ")."]
HEADINGS = ["", "Launch", "Flight", "Mission", "Legacy", "Crew", "Background", "Landing and recovery",
            "Lunar surface", "References", "Timeline", "Spacecraft", "Reception", "Notes", "Extravehicular activity"]

def made_up(n, seed):
    rng = random.Random(seed)
    titles = ["Apollo 11", "Soyuz MS-25", "Crew-8", "STS-4", "Apollo 8", "X"]
    for i in range(n):
        sections = []
        for _ in range(rng.randint(1, 5)):
            paragraphs = []
            for _ in range(rng.randint(1, 4)):
                sentences = []
                for _ in range(rng.randint(1, 6)):
                    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 18))]
                    first = words[0]
                    words[0] = first[:1].upper() + first[1:] if rng.random() < 0.8 else first
                    sentences.append(" ".join(words) + rng.choice(ENDS))
                paragraphs.append(" ".join(sentences))
            sections.append(Section(rng.choice(HEADINGS), rng.choice([2, 2, 3, 4]), "\n".join(paragraphs)))
        title = rng.choice(titles)
        aliases = rng.sample(["Columbia", "Eagle", "ISS 72S", "Soyuz 72S", "Apollo XI"], rng.randint(0, 2))
        others = rng.sample(["Apollo 12", "Apollo 10", "Soyuz MS-24", "Crew-7"], rng.randint(0, 2))
        launch = rng.choice([None, ANCHORS[0], Instant(datetime(2024, 3, 23, 12, 36, tzinfo=timezone.utc), "minute"),
                             Instant(datetime(2021, 1, 1, tzinfo=timezone.utc), "year")])
        yield f"made-up-{i}", sections, title, aliases, others, launch

def dump(obj):
    return repr(obj).encode("utf-8", "surrogatepass")

total = hashlib.sha256()
def emit(source, count, h):
    line = f"{source}\t{count}\t{h.hexdigest()[:24]}"
    total.update(line.encode("utf-8", "surrogatepass"))
    print(line)

for raw in raw_pages():
    if not isinstance(raw, RawInput):
        continue
    h = hashlib.sha256()
    page = extract_page(raw)
    title = page.title or raw.source
    bundle = map_page(page, title)
    if bundle is not None:
        row = bundle.row
        others = [row[k] for k in ("previous_mission", "next_mission") if row.get(k)]
        launch = (Instant(row["launch_utc"], row.get("launch_precision") or "second")
                  if row.get("launch_utc") is not None else None)
        events = extract_events(page.sections, row["title"], aliases=_aliases(bundle),
                                other_missions=others, launch=launch)
        out = reconcile(bundle, page)
        h.update(dump([out.events, out.issues, sorted(out.row.items(), key=lambda kv: kv[0])]))
    else:
        events = extract_events(page.sections, title)
    h.update(dump(events))
    sentence_reads(h, page.sections)
    emit(raw.source, len(events), h)

for source, sections, title, aliases, others, launch in made_up(n_random, seed):
    h = hashlib.sha256()
    events = extract_events(sections, title, aliases=aliases, other_missions=others, launch=launch)
    h.update(dump(events))
    sentence_reads(h, sections)
    emit(source, len(events), h)
print(f"ALL\t{total.hexdigest()}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkout", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--missions", type=int, default=200)
    ap.add_argument("--random", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    out = subprocess.run([sys.executable, "-c", _CHILD, str(args.checkout.resolve()), str(HERE), str(SHARED),
                          str(args.missions), str(args.random), str(args.seed)],
                         capture_output=True, text=True, check=True, cwd="/")
    args.out.write_text(out.stdout, encoding="utf-8")
    lines = out.stdout.splitlines()
    print(f"{len(lines) - 1} pages, {sum(int(x.split(chr(9))[1]) for x in lines[:-1])} events, {lines[-1]}")


if __name__ == "__main__":
    main()
