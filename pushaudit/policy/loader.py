"""Load the built-in policy pack and merge the user's files over it."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pushaudit.policy.model import Policy

BUILTIN = "apple.yaml"


class PolicyError(Exception):
    """A policy file is unreadable or invalid; the message names the file and the key."""


def _read(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{origin}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PolicyError(f"{origin}: the top level must be a mapping, not {type(data).__name__}")
    return data


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; ``hosts`` merges by host name; other lists are replaced."""
    out = dict(base)
    for key, value in extra.items():
        if key == "hosts" and isinstance(value, list) and isinstance(out.get(key), list):
            by_name = {h.get("name"): h for h in out[key] if isinstance(h, dict)}
            for host in value:
                name = host.get("name") if isinstance(host, dict) else None
                by_name[name] = merge(by_name[name], host) if name in by_name else host
            out[key] = list(by_name.values())
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _describe(exc: ValidationError, origins: list[str]) -> str:
    lines = [f"invalid policy (built from {', '.join(origins)}):"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "<top level>"
        lines.append(f"  {key}: {err['msg']}")
    return "\n".join(lines)


def load_policy(extra_files: list[Path] | None = None) -> Policy:
    builtin = resources.files("pushaudit.policy").joinpath(BUILTIN).read_text(encoding="utf-8")
    data = _read(builtin, f"built-in {BUILTIN}")
    origins = [f"built-in {BUILTIN}"]
    for path in extra_files or []:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(f"{path}: cannot read policy file: {exc.strerror}") from exc
        data = merge(data, _read(text, str(path)))
        origins.append(str(path))
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_describe(exc, origins)) from exc


def policy_from_snapshot(path: Path) -> Policy:
    """The effective policy a snapshot was evaluated with (saved as plain YAML)."""
    try:
        return Policy.model_validate(_read(path.read_text(encoding="utf-8"), str(path)))
    except ValidationError as exc:
        raise PolicyError(_describe(exc, [str(path)])) from exc


def policy_to_yaml(policy: Policy) -> str:
    return yaml.safe_dump(policy.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
