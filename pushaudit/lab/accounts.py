"""The audit account on the lab hosts and its read-only sudo rule."""

from __future__ import annotations

import os
import pwd
import shutil
from pathlib import Path

from pushaudit.lab.shell import run
from pushaudit.lab.state import Journal, LabError
from pushaudit.lab.templates import render

SUDOERS_FILE = Path("/etc/sudoers.d/pushaudit-lab")
SBIN_PATH = "/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin"
READ_ONLY_TOOLS = ("nft", "iptables-save", "ip6tables-save", "iptables-legacy-save", "ip6tables-legacy-save")


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_user(journal: Journal, name: str) -> None:
    """Create ``name`` unless it exists; remember which so ``down`` removes only ours."""
    if user_exists(name):
        return
    # '*' (not '!'): no password can match, yet sshd without PAM does not treat it as locked
    run(["useradd", "--create-home", "--shell", "/bin/bash", "--password", "*",
         "--comment", "pushaudit lab audit account", name])  # fmt: skip
    journal.state.user_created = True
    journal.save()


def remove_user(name: str) -> str:
    """Delete the account and its home; returns a problem description or ""."""
    if not user_exists(name):
        return ""
    done = run(["userdel", "--remove", name], check=False)
    if user_exists(name):
        return f"could not delete user {name}: {done.stderr.strip()}"
    return ""


def tool_paths() -> dict[str, str]:
    paths: dict[str, str] = {}
    for tool in READ_ONLY_TOOLS:
        found = shutil.which(tool, path=SBIN_PATH)
        if not found:
            raise LabError(f"{tool}: not installed (needed for the lab's sudo rule)")
        paths[tool.replace("-", "_")] = found
    return paths


def write_sudoers(journal: Journal, user: str) -> None:
    """Install the sudoers drop-in after `visudo -cf` accepted it."""
    if SUDOERS_FILE.exists() and journal.state.sudoers_file != str(SUDOERS_FILE):
        raise LabError(f"{SUDOERS_FILE} exists and was not written by this lab; remove it first")
    text = render("sudoers.j2", user=user, **tool_paths())
    staged = journal.state_dir / "sudoers.staged"
    staged.write_text(text, encoding="ascii")
    staged.chmod(0o440)
    run(["visudo", "-c", "-q", "-f", str(staged)])
    journal.state.sudoers_file = str(SUDOERS_FILE)
    journal.save()
    # same file system is not guaranteed, so copy then rename inside /etc/sudoers.d
    tmp = SUDOERS_FILE.with_name(".pushaudit-lab.tmp")  # sudo ignores names with a dot
    shutil.copyfile(staged, tmp)
    os.chown(tmp, 0, 0)
    tmp.chmod(0o440)
    tmp.replace(SUDOERS_FILE)
    staged.unlink()


def remove_sudoers(journal: Journal) -> None:
    if journal.state.sudoers_file:
        Path(journal.state.sudoers_file).unlink(missing_ok=True)
        SUDOERS_FILE.with_name(".pushaudit-lab.tmp").unlink(missing_ok=True)
