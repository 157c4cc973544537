"""Collect a proxy's PAC/WPAD files and the DNS answers their FindProxyForURL asks for.

The PAC is evaluated here once with a recording resolver: every name it passes to dnsResolve,
isResolvable or isInNet is then resolved ON the audited host (``dig``, command id
``pacdns_<name>``), and the PAC evaluated again, until it asks for nothing new. Offline
evaluation then answers every lookup from the snapshot, never from this machine's resolver.
"""

from __future__ import annotations

import logging
import shlex

from pushaudit.errors import DataError
from pushaudit.pac.dnsdata import PACDNS_PREFIX, dig_command, dns_name, dns_table, read_answer
from pushaudit.pac.evaluate import courier_no_address, flip_address
from pushaudit.pac.outcomes import Answers, ContextJob, ContextOutcome
from pushaudit.pac.sandbox import evaluate_pac
from pushaudit.pac.sources import FETCH_TIMEOUT_S, MANIFEST_COMMAND, MANIFEST_ID, Manifest, configured_sources
from pushaudit.pac.targets import pac_targets
from pushaudit.policy import Policy
from pushaudit.snapshot import CommandRecord, HostFacts, now_iso
from pushaudit.squid.paths import client_sources
from pushaudit.tasks.collectors import collector
from pushaudit.tasks.session import Session

log = logging.getLogger(__name__)
MAX_ROUNDS = 4  # a PAC whose lookups depend on earlier answers needs more than one pass
MAX_NAMES = 200


def _unknown_names(outcomes: list[ContextOutcome]) -> set[str]:
    names = {x.name for o in outcomes for x in o.load_lookups if x.state == "unknown"}
    names |= {x.name for o in outcomes for c in o.calls for x in c.lookups if x.state == "unknown"}
    return names


def _wanted(texts: list[str], clients: list[str], policy: Policy, answers: Answers, now_ms: int) -> set[str]:
    """Names the PACs look up that have no recorded answer, also with the courier names resolving."""
    calls = [t.call() for t in pac_targets(policy)]
    flipped: Answers = {**answers, **{n: [flip_address(policy, answers)] for n in courier_no_address(policy)}}
    wanted: set[str] = set()
    for text in texts:
        for table in (answers, flipped):
            wanted |= _unknown_names(evaluate_pac(text, [ContextJob(c, table, calls) for c in clients], now_ms))
    return wanted


def _resolve(session: Session, names: list[str], answers: Answers) -> None:
    for name in names:
        output, status = session.run(PACDNS_PREFIX + name, dig_command(name), read_timeout=20)
        try:
            answers[name] = read_answer(output, status)[0]
        except DataError as exc:  # left unknown: the checks say the answer could not be read
            log.warning("%s: dig %s: %s", session.snapshot.facts.name, name, exc.message)


@collector("pac_files")
def pac_files(session: Session, facts: HostFacts, policy: Policy) -> None:
    """Pull ``pac_files``, fetch ``pac_urls`` on the host, then resolve what the PACs look up."""
    sources = configured_sources(facts)
    if not sources:
        return
    texts: list[str] = []
    for source in sources:
        if source.kind == "file":
            text = session.pull_file(source.location)
        else:
            argv = ["curl", "-sS", "--max-time", str(FETCH_TIMEOUT_S), "--noproxy", "*", source.location]
            output, status = session.run(source.command_id, shlex.join(argv), read_timeout=FETCH_TIMEOUT_S + 15)
            text = output if status == 0 else None
        if text is not None:
            texts.append(text)
    manifest = Manifest(sources, now_iso(), [])
    try:
        clients = [str(c.address) for c in client_sources(facts)]
    except DataError as exc:
        manifest.notes.append(f"no DNS answers recorded for the PAC: {exc.message}")
        clients = []
    answers: Answers = dict(dns_table(session.snapshot).answers)
    asked: set[str] = set()
    for _ in range(MAX_ROUNDS if clients and texts else 0):
        wanted = _wanted(texts, clients, policy, answers, manifest.now_ms)
        new = sorted(n for n in wanted if n not in asked and n not in answers and dns_name(n) == n)
        new = new[: max(0, MAX_NAMES - len(asked))]
        if not new:
            break
        asked.update(new)
        _resolve(session, new, answers)
    record = CommandRecord(MANIFEST_ID, MANIFEST_COMMAND, manifest.evaluated_at, 0.0, 0, "")
    session.snapshot.add_command(record, manifest.to_json())
