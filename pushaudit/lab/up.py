"""`pushaudit lab up`: build the whole lab, or tear down whatever a failed build left."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pushaudit.lab import accounts, netns, services, squid
from pushaudit.lab import topology as topo
from pushaudit.lab.down import lab_down
from pushaudit.lab.keys import KeyPaths, make_all
from pushaudit.lab.shell import Daemon, run, start_ticks, wait_ready
from pushaudit.lab.state import Journal, LabError, LabState, ProcessRecord
from pushaudit.lab.status import lab_status

log = logging.getLogger(__name__)

NEED_ROOT = "pushaudit lab needs root (network namespaces)"


def require_root() -> None:
    if os.geteuid() != 0:
        raise PermissionError(NEED_ROOT)


def lab_up(state_dir: Path) -> None:
    """Build the lab. Already up: nothing to do. Half up (or dead): torn down and rebuilt."""
    require_root()
    state_dir = state_dir.absolute()  # sshd and squid need absolute paths
    existing = Journal.load(state_dir)
    if existing.exists():
        if existing.state.complete and lab_status(state_dir).running:
            log.info("lab is already up (state in %s)", state_dir)
            return
        log.info("a previous lab in %s is incomplete or broken; tearing it down first", state_dir)
        lab_down(state_dir)
    _prepare_state_dir(state_dir)
    journal = Journal(state_dir, LabState())
    journal.save()
    try:
        _build(journal)
    except BaseException:
        log.error("lab up failed; removing what it had built")
        try:
            lab_down(state_dir)
        except (LabError, OSError) as cleanup_error:
            log.error("cleanup after the failed up was incomplete: %s", cleanup_error)
        raise
    journal.state.complete = True
    journal.save()


def _prepare_state_dir(state_dir: Path) -> None:
    # the path ends up in sshd and Squid config lines, which split on white space
    if any(c.isspace() or c in "%\"'" for c in str(state_dir)):
        raise LabError(f"{state_dir}: the lab state dir path must not hold spaces, quotes or '%'")
    state_dir.mkdir(parents=True, exist_ok=True)


def _build(journal: Journal) -> None:
    keys = KeyPaths.under(journal.state_dir)
    make_all(keys)
    accounts.ensure_user(journal, topo.SSH_USER)
    accounts.write_sudoers(journal, topo.SSH_USER)
    netns.build(journal)
    netns.write_etc_netns(journal)
    services.load_rulesets()
    for instance in squid.INSTANCES:
        squid.write_tree(journal.state_dir, keys, instance)
        squid.validate(instance)
    daemons: list[Daemon] = []
    daemons += services.start_dns(journal)
    daemons += services.start_apple(journal, keys)
    daemons += services.start_sshds(journal, keys)
    daemons += [squid.start(journal, instance) for instance in squid.INSTANCES]
    wait_ready(daemons)
    _record_children(journal)


def _record_children(journal: Journal) -> None:
    """Helpers the daemons forked (NSD servers, Squid helpers) are recorded too, so `down`
    can still stop them by PID should their parent die first."""
    known = {record.pid for record in journal.state.processes}
    for ns in sorted({record.ns for record in journal.state.processes}):
        for word in run(["ip", "netns", "pids", ns], check=False).stdout.split():
            pid = int(word)
            ticks = start_ticks(pid)
            if pid in known or ticks is None:
                continue
            comm = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
            journal.add_process(ProcessRecord(name=comm, ns=ns, pid=pid, start_ticks=ticks, helper=True))
