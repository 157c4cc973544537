"""Build a HostSnapshot from a fixture folder (an etc/ tree plus expected.yaml) the way the collector would."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import yaml

from pushaudit.checks import (  # noqa: F401  (importing registers the checks)
    proxy_apple_by_name,
    proxy_auth_order,
    proxy_connect_ports,
    proxy_courier_squash,
    proxy_tls_bump,
)
from pushaudit.checks.registry import REGISTRY, Check
from pushaudit.context import HostContext
from pushaudit.errors import DataError
from pushaudit.interception import Interception, InterceptVerdict, RuleRef
from pushaudit.parsers.proxy_probe import ProbeResult
from pushaudit.policy import Policy, load_policy
from pushaudit.snapshot import CommandRecord, Connection, FileRecord, HostFacts, HostSnapshot
from pushaudit.squid.refs import referenced_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "squid"
SQUID_CHECKS = (
    "proxy.connect_ports",
    "proxy.auth_order",
    "proxy.tls_bump",
    "proxy.apple_match_by_name",
    "proxy.courier_squash",
)


def squid_checks() -> list[Check]:
    return [REGISTRY.checks[i] for i in SQUID_CHECKS]


def policy_for(kind: str) -> Policy:
    return load_policy([FIXTURES / "lab-policy.yaml"]) if kind == "lab" else load_policy()


def _collect_files(snap: HostSnapshot, tree: Path, main: str) -> None:
    """Pull the main file and everything it names, recursively, recording glob expansions."""
    queue = [main]
    seen: set[str] = set()
    config_dir = main.rsplit("/", 1)[0]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        local = tree / path.lstrip("/")
        if not local.is_file():
            snap.add_file(FileRecord(path, "", f"cat {path}", 1, "No such file or directory"), None)
            continue
        text = local.read_text()
        snap.add_file(FileRecord(path, "", f"cat {path}", 0), text)
        for ref in referenced_paths(text, config_dir):
            if ref.is_glob:
                matches = sorted("/" + str(p.relative_to(tree)) for p in tree.glob(ref.pattern.lstrip("/")))
                snap.add_listing(ref.pattern, matches)
                queue += matches
            else:
                queue.append(ref.pattern)


def build_snapshot(case: Path, root: Path, spec: dict[str, Any]) -> HostSnapshot:
    host = spec.get("host", {})
    data = {"squid_conf": host.get("squid_conf", "/etc/squid/squid.conf")}
    facts = HostFacts(
        name=case.name, hostname="192.0.2.10", port=22, platform="linux", role=host.get("role", "proxy"),
        client_networks=list(host.get("client_networks", [])), data=data, connection=Connection(ok=True),
    )
    snap = HostSnapshot.create(root, facts)
    if "squid_version" in spec:
        snap.add_command(CommandRecord("squid_version", "squid -v", "", 0.1, 0, ""), spec["squid_version"])
    commands = case / "commands"
    if commands.is_dir():
        for output in sorted(commands.glob("*.txt")):
            snap.add_command(CommandRecord(output.stem, "dig", "", 0.1, 0, ""), output.read_text())
    tree = FIXTURES / spec["tree"] if "tree" in spec else case  # a case may reuse another case's etc/ tree
    _collect_files(snap, tree, data["squid_conf"])
    snap.save()
    return HostSnapshot(root)


def _interception(raw: dict[str, Any]) -> Interception:
    rule = RuleRef("cmd:nft_ruleset", "ip", "pa_intercept", "prerouting", 1, "tcp dport 443 redirect to :3130")
    return Interception(
        port=raw["port"], verdict=InterceptVerdict(raw["verdict"]), method=raw.get("method", ""),
        to_port=raw.get("to_port"), rule=rule if raw["verdict"] != "not_intercepted" else None,
        example=raw.get("example", ""),
    )


def context_for(case: Path, root: Path) -> tuple[HostContext, dict[str, Any]]:
    spec = yaml.safe_load((case / "expected.yaml").read_text())
    ctx = HostContext(build_snapshot(case, root, spec), policy_for(spec.get("policy", "lab")))
    # the netfilter and probe models come from other parts of pushaudit: inject them
    if "interception" in spec:
        ctx._cache["apple_interception"] = [_interception(i) for i in spec["interception"]]
    else:
        ctx._cache["apple_interception"] = DataError("E-DATA-MISSING", "no netfilter data in this fixture")
    probes = spec.get("probes")
    ctx._cache["proxy_probes"] = (
        [ProbeResult(**p) for p in probes] if probes is not None else DataError("E-DATA-MISSING", "no probes")
    )
    return ctx, spec


def address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


class DictSource:
    """A ConfigSource over an in-memory {path: text} map (globs via fnmatch, sorted)."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str) -> str:
        if path not in self.files:
            raise DataError("E-PARSE-SQUID", f"{path} does not exist on the host")
        return self.files[path]

    def expand(self, pattern: str) -> list[str]:
        import fnmatch

        return sorted(p for p in self.files if fnmatch.fnmatchcase(p, pattern))


def parse_text(text: str, extra: dict[str, str] | None = None, version: str = "5.7") -> Any:
    """A SquidConfig from squid.conf text (and any extra files)."""
    from pushaudit.squid.parse import parse_config
    from pushaudit.squid.version import parse_version

    files = {"/etc/squid/squid.conf": text, **(extra or {})}
    return parse_config("/etc/squid/squid.conf", DictSource(files), parse_version(f"Version {version}"))
