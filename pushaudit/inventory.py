"""Nornir inventory: load it, merge connection extras, keep credentials out of the YAML.

Nornir resolves ``connection_options.extras`` by taking the first non-empty dict along
host -> groups -> defaults, so a host that sets one extra silently loses every group extra
(host-key checking included). The transform below merges them instead, expands ``$VARS``
in paths, and applies credentials from the environment.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from pathlib import Path
from typing import Any

from nornir import InitNornir
from nornir.core import Nornir
from nornir.core.inventory import ConnectionOptions, Host
from nornir.core.plugins.inventory import TransformFunctionRegister

from pushaudit.platforms import ROLES, PlatformError, load_platform

TRANSFORM_NAME = "pushaudit_transform"
ENV_USER = "PUSHAUDIT_SSH_USER"
ENV_PASSWORD = "PUSHAUDIT_SSH_PASSWORD"  # noqa: S105 - the variable's name, not a secret
ENV_KEY = "PUSHAUDIT_SSH_KEY"
ENV_KNOWN_HOSTS = "PUSHAUDIT_KNOWN_HOSTS"
ENV_ENABLE_SECRET = "PUSHAUDIT_ENABLE_SECRET"  # noqa: S105 - the variable's name, not a secret
SAFE_DEFAULTS: dict[str, Any] = {
    "ssh_strict": True,  # verify host keys unless the inventory says otherwise
    "conn_timeout": 10,
    "auth_timeout": 15,
    "banner_timeout": 15,
    "fast_cli": True,
    "allow_agent": True,
}
PATH_KEYS = ("key_file", "alt_key_file", "ssh_config_file", "session_log")


class InventoryError(Exception):
    pass


def _merged_extras(host: Host) -> dict[str, Any]:
    merged: dict[str, Any] = dict(SAFE_DEFAULTS)
    with contextlib.suppress(PlatformError):  # an unknown platform is reported per host (E-PLATFORM)
        merged.update(load_platform(host.platform).netmiko_extras if host.platform else {})
    layers = [host.defaults.connection_options.get("netmiko")]
    layers += [g.connection_options.get("netmiko") for g in reversed(host.extended_groups())]
    layers.append(host.connection_options.get("netmiko"))
    for layer in layers:
        if layer is not None and layer.extras:
            merged.update(layer.extras)
    for key in PATH_KEYS:
        if isinstance(merged.get(key), str):
            merged[key] = str(Path(os.path.expandvars(merged[key])).expanduser())
    if os.environ.get(ENV_KEY):
        merged["key_file"] = os.environ[ENV_KEY]
        merged["use_keys"] = True
    if os.environ.get(ENV_KNOWN_HOSTS):
        merged["alt_key_file"] = os.environ[ENV_KNOWN_HOSTS]
    if os.environ.get(ENV_ENABLE_SECRET):
        merged["secret"] = os.environ[ENV_ENABLE_SECRET]
    if merged.get("alt_key_file"):
        merged.setdefault("alt_host_keys", True)
    return merged


def transform(host: Host, **_options: Any) -> None:
    """Merge netmiko extras along the group chain and take credentials from the environment."""
    if host.password:
        raise InventoryError(
            f"host {host.name}: a password is set in the inventory YAML; use the {ENV_PASSWORD} environment "
            "variable or SSH keys instead"
        )
    if os.environ.get(ENV_USER):
        host.username = os.environ[ENV_USER]
    if os.environ.get(ENV_PASSWORD):
        host.password = os.environ[ENV_PASSWORD]
    extras = _merged_extras(host)
    own = host.connection_options.get("netmiko")
    if own is None:
        host.connection_options["netmiko"] = ConnectionOptions(extras=extras)
    else:
        own.extras = extras


def host_problems(host: Host) -> list[str]:
    """Inventory mistakes that make a host unauditable; reported per host, never fatal to the run."""
    problems = []
    role = host.get("role")
    if role not in ROLES:
        problems.append(f"data.role must be one of {sorted(ROLES)}, not {role!r}")
    if not host.platform:
        problems.append("no platform set (e.g. platform: linux)")
    for net in host.get("client_networks") or []:
        try:
            ipaddress.ip_network(str(net), strict=False)
        except ValueError:
            problems.append(f"client_networks entry {net!r} is not a network")
    return problems


def load_nornir(inventory_dir: Path, workers: int = 20, ssh_config: Path | None = None) -> Nornir:
    hosts = inventory_dir / "hosts.yaml"
    if not hosts.is_file():
        raise InventoryError(f"{inventory_dir}: no hosts.yaml (a Nornir SimpleInventory folder is expected)")
    TransformFunctionRegister.register(TRANSFORM_NAME, transform)
    options: dict[str, str] = {"host_file": str(hosts)}
    for key, name in (("group_file", "groups.yaml"), ("defaults_file", "defaults.yaml")):
        if (inventory_dir / name).is_file():
            options[key] = str(inventory_dir / name)
    try:
        return InitNornir(
            runner={"plugin": "threaded", "options": {"num_workers": workers}},
            inventory={"plugin": "SimpleInventory", "options": options, "transform_function": TRANSFORM_NAME},
            logging={"enabled": False},
            # ~/.ssh/config must not change audit connections unless asked for
            ssh={"config_file": str(ssh_config) if ssh_config else os.devnull},
        )
    except InventoryError:
        raise
    except Exception as exc:
        raise InventoryError(f"{inventory_dir}: cannot load the inventory: {exc}") from exc
