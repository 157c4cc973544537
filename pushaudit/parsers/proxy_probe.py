"""CONNECT probes sent through a proxy's own Squid with ``curl -v``: what the proxy answered.

curl prints what it sends as ``> ...``, what it receives as ``< ...``, its own notes as ``* ...``
and a final ``curl: (N) ...`` line on failure. The first ``< HTTP/...`` line after ``> CONNECT``
is the proxy's answer; later status lines come from the origin through the tunnel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pushaudit.context import HostContext, ModelKey
from pushaudit.errors import DataError

_CONNECT = re.compile(r"^> CONNECT (\S+):(\d+) HTTP/\d(?:\.\d)?\s*$")
_STATUS = re.compile(r"^< HTTP/\d(?:\.\d)? (\d{3})(?: .*)?$")
_SQUID_ERROR = re.compile(r"^< X-Squid-Error:\s*(.*?)\s*$", re.IGNORECASE)
_CURL_ERROR = re.compile(r"^curl: \((\d+)\) (.*)$")
_CONNECTED = re.compile(r"^\* Connected to \S+ \(([^)]+)\) port (\d+)")
_PROXY_ARG = re.compile(r"--proxy\s+'?(?:https?://)?([^\s'/]+)")
_TARGET_URL = re.compile(r"https://([^/:\s']+)(?::(\d+))?")
_NOT_INSTALLED = re.compile(r"\bcurl: (?:command )?not found")
_EXCERPT_LINES = 12


@dataclass(frozen=True)
class ProbeResult:
    name: str  # the host name in the CONNECT request
    port: int
    proxy: str  # "198.18.0.12:3128"
    connect_status: int | None  # status line of the proxy's answer to CONNECT (None: no answer)
    squid_error: str  # X-Squid-Error value, e.g. "ERR_CANNOT_FORWARD 0"; "" when absent
    tunnel_ok: bool  # 200 Connection established was received
    curl_exit: int | None
    source: str  # command id in the snapshot
    excerpt: str  # the lines of the output that show the outcome


def parse_probe(output: str, *, command: str = "", exit_status: int | None = None, source: str = "") -> ProbeResult:
    """Parse one ``curl -sS -v`` run through a proxy; DataError E-PARSE-PROBE when it cannot."""
    lines = [ln.rstrip() for ln in output.splitlines()]
    where = f"cmd:{source}" if source else "curl"
    if any(_NOT_INSTALLED.search(ln) for ln in lines):
        raise DataError("E-COLLECT-COMMAND", f"curl is not installed on the host: {output.strip()[:200]}", where)
    connect = next(((i, m) for i, ln in enumerate(lines) if (m := _CONNECT.match(ln))), None)
    curl_error = next((m for ln in lines if (m := _CURL_ERROR.match(ln))), None)
    curl_exit = int(curl_error.group(1)) if curl_error else exit_status
    if curl_exit is None:
        curl_exit = 0 if connect else None
    if exit_status is not None and curl_error and int(curl_error.group(1)) != exit_status:
        raise DataError("E-PARSE-PROBE", f"curl printed error {curl_error.group(1)} but exited {exit_status}", where)
    status: int | None = None
    squid_error, shown = "", list[str]()
    if connect is not None:
        start = connect[0]
        status, squid_error, shown = _proxy_answer(lines[start + 1 :])
        shown = [lines[start], *shown]
    if connect is None and curl_error is None:
        raise DataError("E-PARSE-PROBE", f"no CONNECT request and no curl error in: {output.strip()[:300]}", where)
    tunnel_ok = status is not None and 200 <= status < 300
    if tunnel_ok and curl_exit not in (0, None) and curl_error is None:
        raise DataError("E-PARSE-PROBE", f"tunnel established but curl exited {curl_exit} silently", where)
    if curl_exit == 0 and not tunnel_ok:
        raise DataError("E-PARSE-PROBE", "curl exited 0 without a tunnel through the proxy", where)
    name, port = (connect[1].group(1), int(connect[1].group(2))) if connect else _target(command)
    excerpt = [*shown, curl_error.group(0)] if curl_error else shown
    return ProbeResult(
        name=name,
        port=port,
        proxy=_proxy(command, lines),
        connect_status=status,
        squid_error=squid_error,
        tunnel_ok=tunnel_ok,
        curl_exit=curl_exit,
        source=source,
        excerpt="\n".join(excerpt[:_EXCERPT_LINES]),
    )


def _proxy_answer(lines: list[str]) -> tuple[int | None, str, list[str]]:
    """The proxy's status and X-Squid-Error: the first response block after CONNECT."""
    status: int | None = None
    squid_error = ""
    shown: list[str] = []
    for line in lines:
        if status is None:
            if (match := _STATUS.match(line)) is not None:
                status = int(match.group(1))
                shown.append(line)
            continue
        if not line.startswith("<") or line.strip() == "<":
            break  # end of the proxy's headers: anything later is the tunnel's content
        if (match := _SQUID_ERROR.match(line)) is not None:
            squid_error = match.group(1)
            shown.append(line)
    return status, squid_error, shown


def _target(command: str) -> tuple[str, int]:
    """Name and port from the probe URL (the last https:// URL) when curl never sent CONNECT."""
    urls = _TARGET_URL.findall(command)
    if not urls:
        return "", 443
    host, port = urls[-1]
    return host, int(port or 443)


def _proxy(command: str, lines: list[str]) -> str:
    if (match := _PROXY_ARG.search(command)) is not None:
        return match.group(1)
    connected = next((m for ln in lines if (m := _CONNECTED.match(ln))), None)
    return f"{connected.group(1)}:{connected.group(2)}" if connected else ""


def expected_probe_names(ctx: HostContext) -> list[str]:
    """The names the collector probes: the bare courier name and the first number's forms."""
    courier = ctx.policy.courier
    return [courier.bare, *courier.numbered_names(courier.probe_numbers[0])]


def probe_for(probes: list[ProbeResult], name: str) -> ProbeResult | None:
    return next((p for p in probes if p.name.lower() == name.lower()), None)


def _build(ctx: HostContext) -> list[ProbeResult]:
    snapshot = ctx.snapshot
    for name in expected_probe_names(ctx):
        if not snapshot.has_command(f"probe_{name}"):
            raise DataError("E-DATA-MISSING", f"proxy probe for {name} was not collected", f"cmd:probe_{name}")
    probes = []
    for command_id in sorted(c for c in snapshot.commands if c.startswith("probe_")):
        record, output = snapshot.command(command_id)
        if record.command == "" and record.exit_status is None:
            continue  # skipped on purpose (no client-facing forward port): nothing to parse
        if record.exit_status is None:
            why = record.error or "no exit status was recorded"
            raise DataError("E-COLLECT-COMMAND", f"{command_id} did not run: {why}", f"cmd:{command_id}")
        probe = parse_probe(output, command=record.command, exit_status=record.exit_status, source=command_id)
        wanted = command_id.removeprefix("probe_")
        if probe.name.lower() != wanted.lower():
            raise DataError("E-PARSE-PROBE", f"{command_id} sent CONNECT for {probe.name}", f"cmd:{command_id}")
        probes.append(probe)
    return probes


PROXY_PROBES: ModelKey[list[ProbeResult]] = ModelKey("proxy_probes", _build)
