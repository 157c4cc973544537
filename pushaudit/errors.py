"""Stable error codes. A check that cannot decide reports one of these instead of PASS."""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "E-SSH-UNREACHABLE": "The host did not answer on its SSH port (TCP refused or timed out).",
    "E-SSH-AUTH": "The SSH server refused the credentials (key or password).",
    "E-SSH-HOSTKEY": "The host key did not match known_hosts, or the host is not in known_hosts.",
    "E-SSH-OTHER": "The SSH session failed for another reason; see the message.",
    "E-COLLECT-COMMAND": "A collection command failed or returned a non-zero exit status.",
    "E-DATA-MISSING": "The snapshot lacks data this check needs.",
    "E-PARSE-SQUID": "squid.conf (or a file it includes) could not be fully parsed.",
    "E-PARSE-NETFILTER": "The nftables or iptables ruleset could not be fully parsed.",
    "E-PARSE-FIREWALL": "A vendor firewall's configuration (ASA, PAN-OS, FortiOS, Junos) could not be parsed.",
    "E-PARSE-DNS": "A dig output could not be parsed into a DNS message.",
    "E-PARSE-PROBE": "A proxy probe output could not be parsed.",
    "E-PAC-ENGINE": "A PAC file did not load, threw, ran past its time limit or returned no proxy list.",
    "E-PAC-PROXY-UNKNOWN": "A PAC file names a proxy that is not an audited host, so what it does cannot be told.",
    "E-EVAL-UNKNOWN": "The ruleset holds matches the evaluator cannot decide for the traffic in question.",
    "E-CHECK-CRASH": "The check raised an unexpected exception (a bug in pushaudit; please report it).",
    "E-PLATFORM": "No platform definition exists for the host's platform.",
}


class DataError(Exception):
    """Raised when a model cannot be built from the snapshot; checks turn it into ERROR."""

    def __init__(self, code: str, message: str, source: str = "", line: int | None = None) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.source = source
        self.line = line
