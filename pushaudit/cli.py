"""Command line: ``pushaudit audit``, ``pushaudit checks``, ``pushaudit lab``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import NoReturn

from pushaudit import __version__

EX_USAGE = 64  # bad arguments
EX_DATAERR = 65  # bad inventory, policy or snapshot
REPORT_FORMATS = ("html", "json")


class UsageParser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage; 2 means "ERROR found" here, so usage errors exit 64."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")


def _formats(value: str) -> list[str]:
    formats = [f.strip() for f in value.split(",") if f.strip()]
    bad = [f for f in formats if f not in REPORT_FORMATS]
    if bad or not formats:
        raise argparse.ArgumentTypeError(f"formats are a comma list of {', '.join(REPORT_FORMATS)}")
    return formats


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="pushaudit", description=__doc__)
    parser.add_argument("--version", action="version", version=f"pushaudit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=UsageParser)

    audit = sub.add_parser("audit", help="audit the fleet (or re-evaluate a saved snapshot) and write reports")
    audit.add_argument("--inventory", type=Path, default=Path("inventory"), help="Nornir SimpleInventory folder")
    audit.add_argument("--snapshot", type=Path, help="re-evaluate this saved snapshot offline (no SSH)")
    audit.add_argument("--output-dir", type=Path, default=Path("pushaudit-out"), help="where runs are written")
    audit.add_argument("--format", type=_formats, default=list(REPORT_FORMATS), help="html,json (default both)")
    audit.add_argument("--filter", dest="filters", action="append", default=[],
                       help="key=value[,key=value...] on name/group/role/zone/team/platform; repeat to OR")
    audit.add_argument("--workers", type=_positive, default=20, help="hosts audited in parallel (default 20)")
    audit.add_argument("--policy", dest="policies", type=Path, action="append", default=[],
                       help="policy file merged over the built-in Apple pack (repeatable); "
                            "<inventory>/policy.yaml is merged automatically when present")
    audit.add_argument("--ssh-config", type=Path, help="OpenSSH client config to honour (default: none)")

    checks = sub.add_parser("checks", help="list the checks")
    checks.add_argument("--json", action="store_true", help="machine-readable output")

    from pushaudit.lab.cli import add_lab_parser

    add_lab_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    # Nornir logs full tracebacks of failed hosts; the report already carries the reason.
    logging.getLogger("nornir").setLevel(logging.CRITICAL)
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)
    if args.command == "audit":
        from pushaudit.audit_cmd import run_audit

        return run_audit(args)
    if args.command == "checks":
        return list_checks(as_json=args.json)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.error(f"unknown command {args.command}")
    return int(handler(args))


def list_checks(as_json: bool) -> int:
    from pushaudit.checks.registry import all_checks

    checks = all_checks()
    if as_json:
        rows = [
            {"id": c.spec.id, "title": c.spec.title, "severity": c.spec.severity.value,
             "roles": sorted(c.spec.roles), "platforms": sorted(c.spec.platforms or []),
             "rationale": c.spec.rationale, "sources": list(c.spec.sources)}
            for c in checks
        ]
        print(json.dumps(rows, indent=2))
        return 0
    width = max((len(c.spec.id) for c in checks), default=10)
    for c in checks:
        roles = ",".join(sorted(c.spec.roles))
        print(f"{c.spec.id:<{width}}  {c.spec.severity.value:<8}  {roles:<15}  {c.spec.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
