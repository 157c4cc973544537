"""Collectors whose commands depend on earlier data; registered by name, named in platform files."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable

from pushaudit.policy import Policy
from pushaudit.snapshot import HostFacts
from pushaudit.tasks.session import Session

Collector = Callable[[Session, HostFacts, Policy], None]
COLLECTORS: dict[str, Collector] = {}
MAX_SQUID_FILES = 500


def load_collectors() -> dict[str, Collector]:
    """Every collector: this module's, plus those of any ``pushaudit.tasks.*_collector`` module."""
    import importlib
    import pkgutil

    import pushaudit.tasks as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.endswith("_collector"):
            importlib.import_module(f"{package.__name__}.{module.name}")
    return COLLECTORS


def collector(name: str) -> Callable[[Collector], Collector]:
    def add(func: Collector) -> Collector:
        if name in COLLECTORS:
            raise ValueError(f"collector {name!r} registered twice")
        COLLECTORS[name] = func
        return func

    return add


@collector("squid_config")
def squid_config(session: Session, facts: HostFacts, _policy: Policy) -> None:
    """Pull squid.conf, every file it includes (globs expanded on the host) and its quoted ACL files."""
    from pushaudit.squid.refs import referenced_paths

    main = str(facts.data.get("squid_conf", "/etc/squid/squid.conf"))
    config_dir = posixpath.dirname(main)
    queue: list[tuple[str, bool]] = [(main, True)]
    seen: set[str] = set()
    while queue and len(seen) < MAX_SQUID_FILES:
        path, is_config = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        text = session.pull_file(path)
        if text is None or not is_config:
            continue
        for ref in referenced_paths(text, config_dir=config_dir):
            targets = session.expand_glob(ref.pattern) if ref.is_glob else [ref.pattern]
            queue.extend((target, ref.kind == "include") for target in targets)


def courier_probe_names(policy: Policy) -> list[str]:
    names = [policy.courier.bare, policy.courier.target]
    for n in policy.courier.probe_numbers:
        names += policy.courier.numbered_names(n)
    return names


@collector("dns_probes")
def dns_probes(session: Session, _facts: HostFacts, policy: Policy) -> None:
    """Resolve the courier names with the proxy's own resolver, as Squid would."""
    for name in courier_probe_names(policy):
        session.run(f"dns_{name}", shlex.join(["dig", "+time=2", "+tries=2", name, "A"]), read_timeout=20)


@collector("proxy_probes")
def proxy_probes(session: Session, facts: HostFacts, policy: Policy) -> None:
    """CONNECT through the host's own client-facing Squid port for the bare and a numbered courier name."""
    from pushaudit.tasks.probe_target import probe_endpoint

    names = [policy.courier.bare, *policy.courier.numbered_names(policy.courier.probe_numbers[0])]
    endpoint, reason = probe_endpoint(session.snapshot, facts, policy)
    for name in names:
        if endpoint is None:
            session.skip(f"probe_{name}", reason)
            continue
        command = shlex.join(
            ["curl", "-sS", "-v", "-o", "/dev/null", "--max-time", "10", "--noproxy", "", "--proxy",
             f"http://{endpoint}", "-k", f"https://{name}:443/"]
        )
        session.run(f"probe_{name}", command, read_timeout=25)
