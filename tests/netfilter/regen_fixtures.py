"""Regenerate the netfilter fixture dumps from their sources (needs root; not a test).

For every folder under tests/fixtures/netfilter/ this loads, in a scratch network namespace:
``ruleset.nft`` with ``nft -f``, ``iptables.rules`` with ``iptables-restore`` (nf_tables backend)
and ``legacy.rules`` with ``iptables-legacy-restore``; then it writes the real dumps beside
them: ``ruleset.json`` (``nft -j list ruleset``), ``iptables-save.txt`` and
``iptables-legacy-save.txt``. Timestamps in the save headers are replaced so dumps are stable.

    sudo .venv/bin/python tests/netfilter/regen_fixtures.py [case ...]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "netfilter"
NAMESPACE = "pa-nfo-gen"
_STAMP = re.compile(r" on \w{3} \w{3} +\d+ [\d:]+ \d{4}")


def _run(*argv: str, stdin: str | None = None) -> str:
    done = subprocess.run(["ip", "netns", "exec", NAMESPACE, *argv], input=stdin, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


def regenerate(case: Path) -> None:
    subprocess.run(["ip", "netns", "add", NAMESPACE], check=True)
    try:
        if (case / "ruleset.nft").exists():
            _run("nft", "-f", str(case / "ruleset.nft"))
        if (case / "iptables.rules").exists():
            _run("iptables-restore", stdin=(case / "iptables.rules").read_text())
        if (case / "legacy.rules").exists():
            _run("iptables-legacy-restore", stdin=(case / "legacy.rules").read_text())
        (case / "ruleset.json").write_text(_run("nft", "-j", "list", "ruleset"))
        if (case / "iptables.rules").exists():
            (case / "iptables-save.txt").write_text(_STAMP.sub("", _run("iptables-save")))
        if (case / "legacy.rules").exists():
            (case / "iptables-legacy-save.txt").write_text(_STAMP.sub("", _run("iptables-legacy-save")))
    finally:
        subprocess.run(["ip", "netns", "del", NAMESPACE], check=False)


def main(names: list[str]) -> None:
    cases = [FIXTURES / n for n in names] if names else sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    for case in cases:
        if any((case / s).exists() for s in ("ruleset.nft", "iptables.rules", "legacy.rules")):
            regenerate(case)
            sys.stdout.write(f"regenerated {case.name}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
