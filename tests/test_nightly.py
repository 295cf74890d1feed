"""The README's nightly cron line, run as cron would run it (with `mail` replaced by a recorder):
quiet on the steady state, an alert with the reason when a check newly fails."""
from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # three end-to-end runs

ROOT = Path(__file__).resolve().parents[1]


def cron_command() -> str:
    """The command part of the cron line in the README's Scheduling section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```cron\n(.*?)```", readme, re.S).group(1)
    line = next(ln for ln in block.splitlines() if ln and not ln.startswith("#"))
    command = line.split(None, 5)[5]
    return command.replace("\\%", "%")  # cron turns an unescaped % into a newline


def executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def site(tmp_path):
    """/srv/infobox-etl as the README lays it out, and a `mail` that records what it is sent."""
    work = tmp_path / "srv"
    shutil.copytree(ROOT / "raw", work / "raw")
    shutil.copytree(ROOT / "expectations", work / "expectations")
    executable(work / ".venv/bin/infobox-etl", f'#!/bin/sh\nexec "{sys.executable}" -m pipeline "$@"\n')
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    executable(tmp_path / "bin/mail",
               f'#!/bin/sh\nn=$(ls "{outbox}" | wc -l)\n'
               f'{{ echo "args: $*"; cat; }} > "{outbox}/mail-$n.txt"\n')
    return work, outbox


def nightly(work: Path, command: str):
    env = {"PATH": f"{work.parent / 'bin'}:/usr/bin:/bin", "HOME": str(work),
           "GX_ANALYTICS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    return subprocess.run(["/bin/sh", "-c", command.replace("cd /srv/infobox-etl", f"cd {work}")],
                          env=env, capture_output=True, text=True, timeout=600)


def test_the_cron_line_mails_only_what_is_new(site):
    work, outbox = site
    command = cron_command()
    assert "--fail-on new" in command and "cd /srv/infobox-etl" in command

    first = nightly(work, command)   # nothing to compare with: the bundled warnings are news once
    assert first.returncode == 0, first.stderr
    mails = sorted(outbox.iterdir())
    assert len(mails) == 1 and "exit 3" in mails[0].read_text()

    second = nightly(work, command)  # the same data: nothing new, nothing sent
    assert second.returncode == 0, second.stderr
    assert len(list(outbox.iterdir())) == 1
    logs = sorted((work / "logs").iterdir())
    assert len(logs) == 2, "one log file per run"
    assert "new since published  0" in logs[1].read_text()

    # An editor's slip: Apollo 11's inclination becomes impossible; an error check newly fails.
    article = work / "raw" / "Apollo_11.wikitext"
    text = article.read_text(encoding="utf-8")
    assert "| orbit_inclination     = 1.25&nbsp;degrees" in text
    article.write_text(text.replace("= 1.25&nbsp;degrees", "= 191.25&nbsp;degrees"), encoding="utf-8")
    third = nightly(work, command)
    assert third.returncode == 0, third.stderr
    mails = sorted(outbox.iterdir())
    assert len(mails) == 2
    mail = mails[1].read_text()
    assert "exit 3" in mail.splitlines()[0]
    why = [ln for ln in mail.splitlines() if "inclination" in ln and "now fails" in ln]
    assert why and "Apollo 11" in why[0] and "passed before" in why[0], mail
    assert "newly quarantined: Apollo 11 (Apollo_11.wikitext) [validate] inclination_in_range" in mail
    assert len(list((work / "logs").iterdir())) == 3
