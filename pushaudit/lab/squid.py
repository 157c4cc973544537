"""The four lab Squids: their config trees under /etc/netns/<ns>/squid (seen as /etc/squid
inside the namespace), runtime folders under <state>/squid/<ns>, validation and start."""

from __future__ import annotations

import os
import pwd
import shutil
from dataclasses import dataclass
from pathlib import Path

from pushaudit.lab import topology as topo
from pushaudit.lab.keys import KeyPaths, proxy_password
from pushaudit.lab.netns import ETC_NETNS
from pushaudit.lab.shell import Daemon, in_ns, run, spawn
from pushaudit.lab.state import Journal, LabError
from pushaudit.lab.templates import render, static_file

SQUID = "/usr/sbin/squid"
# Squid sees its runtime folder <state>/squid/<ns> here: `start` bind-mounts it in Squid's
# private mount namespace, so user proxy never has to pass the state dir's parents
RUN_IN_NS = "/var/spool/squid"
CERTGEN = "/usr/lib/squid/security_file_certgen"
CA_IN_NS = "/etc/squid/ssl/lab-ca.pem"
SYSTEM_STYLESHEET = Path("/etc/squid/errorpage.css")


@dataclass(frozen=True)
class SquidInstance:
    ns: str
    hostname: str
    template: str
    conf_d: dict[str, str]  # file name in conf.d -> template
    listeners: tuple[str, ...]  # "addr:port" Squid must listen on (TCP)
    bumps: bool = False
    password_file: bool = False
    pac_template: str = ""  # a PAC/WPAD file written as /etc/squid/wpad.dat


INSTANCES: tuple[SquidInstance, ...] = (
    SquidInstance(
        "pa-proxy1", "lab-proxy1", "squid-proxy1.conf.j2", {"10-access.conf": "proxy1-access.conf.j2"},
        ("127.0.0.1:3128", "198.18.11.1:3129", "198.18.11.1:3130"), bumps=True,
    ),
    SquidInstance(
        "pa-proxy2", "lab-proxy2", "squid-proxy2.conf.j2", {"10-apple.conf": "proxy2-access.conf.j2"},
        ("198.18.0.12:3128",), pac_template="proxy2-wpad.dat.j2",
    ),
    SquidInstance(
        "pa-proxy3", "lab-proxy3", "squid-proxy3.conf.j2", {"20-ssl-bump.conf": "proxy3-ssl-bump.conf.j2"},
        ("127.0.0.1:3128", "198.18.13.1:3130"), bumps=True,
    ),
    SquidInstance(
        "pa-proxy4", "lab-proxy4", "squid-proxy4.conf.j2", {"10-auth.conf": "proxy4-auth.conf.j2"},
        ("198.18.0.14:3128",), bumps=True, password_file=True,
    ),
)  # fmt: skip


def run_dir(state_dir: Path, ns: str) -> Path:
    return state_dir / "squid" / ns


def config_dir(ns: str) -> Path:
    return ETC_NETNS / ns / "squid"


def _write(path: Path, text: str, mode: int = 0o644, group: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if group is not None:
        os.chown(path, 0, group)
    path.chmod(mode)


def write_tree(state_dir: Path, keys: KeyPaths, squid: SquidInstance) -> None:
    """Render squid.conf, conf.d/, the ACL file and the secrets one instance reads."""
    proxy = pwd.getpwnam("proxy")
    ns = topo.namespace(squid.ns)
    folder = config_dir(squid.ns)
    values = {
        "hostname": squid.hostname,
        "run_dir": RUN_IN_NS,
        "resolver": ns.resolver,
        "bumps": squid.bumps,
        "ca_file": CA_IN_NS,
    }
    _write(folder / "squid.conf", render(squid.template, **values))
    for name, template in squid.conf_d.items():
        _write(folder / "conf.d" / name, render(template, **values))
    _write(folder / "apple-hosts.txt", static_file("apple-hosts.txt"))
    if squid.pac_template:
        _write(folder / "wpad.dat", render(squid.pac_template, **values))
    if SYSTEM_STYLESHEET.exists():  # the default err_page_stylesheet path, hidden by the bind mount
        shutil.copyfile(SYSTEM_STYLESHEET, folder / "errorpage.css")
    if squid.bumps:
        _write(folder / "ssl" / "lab-ca.pem", keys.squid_ca.read_text(encoding="ascii"), 0o640, proxy.pw_gid)
    if squid.password_file:
        password, line = proxy_password()
        _write(folder / "passwd", line, 0o640, proxy.pw_gid)
        _write(run_dir(state_dir, squid.ns).parent / f"{squid.ns}.password", password + "\n", 0o600)
    runtime = run_dir(state_dir, squid.ns)
    runtime.mkdir(parents=True, exist_ok=True)
    if squid.bumps and not (runtime / "ssl_db").exists():
        run([CERTGEN, "-c", "-s", str(runtime / "ssl_db"), "-M", "4MB"])
    for path in [runtime, *runtime.rglob("*")]:
        os.chown(path, proxy.pw_uid, proxy.pw_gid)
    runtime.chmod(0o750)


def validate(squid: SquidInstance) -> None:
    """`squid -k parse` inside the namespace, so /etc/squid is the lab's tree."""
    done = run(in_ns(squid.ns, [SQUID, "-k", "parse", "-f", "/etc/squid/squid.conf"]), check=False)
    output = done.stdout + done.stderr
    bad = [line for line in output.splitlines() if "FATAL" in line or "ERROR" in line or "Bungled" in line]
    if done.returncode != 0 or bad:
        detail = "\n  ".join(bad or output.strip().splitlines()[-10:])
        raise LabError(f"{squid.hostname}: squid.conf does not parse (exit {done.returncode}):\n  {detail}")


def start(journal: Journal, squid: SquidInstance) -> Daemon:
    if not Path(RUN_IN_NS).is_dir():
        raise LabError(f"{RUN_IN_NS} does not exist (it comes with the squid package)")
    # `ip netns exec` gives each command a private (slave) mount namespace: the bind mount
    # lives and dies with this Squid and never shows outside it
    script = f'mount --bind "$1" {RUN_IN_NS} && exec {SQUID} -N -f /etc/squid/squid.conf'
    record = spawn(
        f"squid {squid.hostname}", squid.ns, ["sh", "-c", script, "sh", str(run_dir(journal.state_dir, squid.ns))],
        journal.state_dir / "logs" / f"squid-{squid.ns}.out",
    )  # fmt: skip
    journal.add_process(record)
    listeners = tuple(("tcp", address) for address in squid.listeners)
    return Daemon(record, listeners, run_dir(journal.state_dir, squid.ns) / "cache.log")
