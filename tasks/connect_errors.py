"""Turn the many ways an SSH connection fails into stable error codes."""

from __future__ import annotations


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> tuple[str, str]:
    """(code, message) for a failed connection. Netmiko wraps every paramiko error as a timeout."""
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " | ".join(str(e) for e in chain if str(e))
    lowered = text.lower()
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "BadHostKeyException" in names or "does not match" in lowered or "not found in known_hosts" in lowered:
        return "E-SSH-HOSTKEY", f"host key verification failed: {first}"
    if "NetmikoAuthenticationException" in names or "AuthenticationException" in names or "authentication" in lowered:
        return "E-SSH-AUTH", f"authentication refused: {first}"
    if (
        "ConnectionRefusedError" in names
        or "tcp connection to device failed" in lowered
        or "timed out" in lowered
        or "no route to host" in lowered
        or "unreachable" in lowered
    ):
        return "E-SSH-UNREACHABLE", f"SSH port not reachable: {first}"
    return "E-SSH-OTHER", f"{type(exc).__name__}: {first}"
