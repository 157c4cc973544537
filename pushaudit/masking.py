"""Mask secrets in collected configs and command outputs before they are stored or shown.

Every rule replaces only the secret itself with ``MASK`` and never adds or removes a line break,
so line numbers quoted as evidence stay valid after masking. Masking twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MASK = "********"

# Whitespace that stays on one line: a rule must never reach into the next line.
_SP = r"[ \t]"
# Every character str.splitlines() breaks at; masked values never swallow one, so line numbers hold.
_EOL = r"\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029"

# Words that name a secret wherever they appear inside a name (dbpassword, client_secret).
_SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "credential", "apikey", "privatekey")
# Words that name a secret only as the last part of a name (auth_token yes, token_ttl no).
_SECRET_TAILS = {"token", "pass", "pwd", "psk", "community"}
# "key" names a secret too, but nftables JSON says {"key": "l4proto"}; it is masked only in name=value form.
_KEY_TAIL = "key"

# cache_peer login= keywords that forward or negotiate credentials rather than hold one.
_LOGIN_KEYWORDS = {"PASS", "PASSTHRU", "PROXYPASS", "NEGOTIATE"}
# Helper flags (auth_param, external_acl_type) whose argument is a password, not a file.
_HELPER_SECRET_FLAGS = r"-w|--password|--passwd|--bindpw|--secret|password|passwd"  # noqa: S105 - flag names
_AUTH_SCHEMES = {"basic", "bearer", "digest", "negotiate", "ntlm", "aws4-hmac-sha256"}


def _name_parts(name: str) -> list[str]:
    return [p for p in re.split(r"[^a-z0-9]+", name.lower()) if p]


def _is_strong_name(name: str) -> bool:
    parts = _name_parts(name)
    joined = "".join(parts)
    return bool(parts) and (any(w in joined for w in _SECRET_WORDS) or parts[-1] in _SECRET_TAILS)


def is_secret_key(name: str) -> bool:
    """True when a setting or field called ``name`` holds a secret (password, token, key, ...)."""
    parts = _name_parts(name)
    return _is_strong_name(name) or (bool(parts) and parts[-1] == _KEY_TAIL)


def _mask_whole_line(line: str) -> str:
    """Mask every word of a line but keep its whitespace (indent, CR of CRLF files)."""
    return re.sub(r"\S+", MASK, line)


def _private_key_blocks(text: str) -> str:
    """Mask every line between BEGIN/END ... PRIVATE KEY markers (to the end if END is missing)."""
    pattern = re.compile(
        r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(.*?)(-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.DOTALL
    )

    def body(match: re.Match[str]) -> str:
        lines = match.group(2).split("\n")
        masked = [_mask_whole_line(line) for line in lines]
        return match.group(1) + "\n".join(masked) + match.group(3)

    return pattern.sub(body, text)


def _cache_peer_login(match: re.Match[str]) -> str:
    value = match.group("value")
    user, sep, _password = value.partition(":")
    if user.upper() in _LOGIN_KEYWORDS:
        return match.group(0)  # NEGOTIATE:principal names a Kerberos principal, not a secret
    if sep:
        return f"{match.group('head')}{user}:{MASK}"
    return f"{match.group('head')}{MASK}"


def _auth_header(match: re.Match[str]) -> str:
    value = match.group("value")
    scheme, _, rest = value.partition(" ")
    if scheme.lower() in _AUTH_SCHEMES and rest.strip():
        return f"{match.group('head')}{scheme} {MASK}"
    return f"{match.group('head')}{MASK}" if value.strip() else match.group(0)


def _name_value(match: re.Match[str]) -> str:
    name, value = match.group("name"), match.group("value")
    strong = _is_strong_name(name)
    keyish = match.group("sep").strip() == "=" and is_secret_key(name)
    if not (strong or keyish) or value.strip("\"'") in ("", MASK):
        return match.group(0)
    if not strong and value.strip("\"'").startswith("/"):
        return match.group(0)  # key=/etc/ssl/private/proxy.key names a file; the path is no secret
    quote = value[0] if value[0] in "\"'" and value.endswith(value[0]) and len(value) > 1 else ""
    if not quote and match.group("q") == '"' and ":" in match.group("sep"):
        quote = '"'  # a JSON member keeps a string value, so the document still parses
    return f"{match.group('head')}{quote}{MASK}{quote}"


_HELPER_SECRET = re.compile(
    rf"(?P<head>{_SP}(?:{_HELPER_SECRET_FLAGS})(?:{_SP}+|=))(?P<value>\"[^\"{_EOL}]*\"|'[^'{_EOL}]*'|[^\s\"']+)"
)


def _helper_argument(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match.group('head')}{quote}{MASK}{quote}"


def _helper_line(match: re.Match[str]) -> str:
    """Every password argument on an auth_param or external_acl_type line (files, -W, stay)."""
    return _HELPER_SECRET.sub(_helper_argument, match.group(0))


_Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]

_RULES: list[_Rule] = [
    # cache_peer ... login=user:password / login=*:password / login=token
    (re.compile(r"(?P<head>\blogin=)(?P<value>[^\s\"']+)"), _cache_peer_login),
    # URL user info: http://user:password@host
    (re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)(?!\*{8}@)[^\s/@]+(?=@)"), rf"\g<head>{MASK}"),
    # curl --user / --proxy-user / -u user:password
    (
        re.compile(rf"(?P<head>(?<!\S)(?:--proxy-user|--user|-U|-u){_SP}+['\"]?[^\s:'\"]+:)(?!\*{{8}})[^\s'\"]+"),
        rf"\g<head>{MASK}",
    ),
    # Authorization, Proxy-Authorization and cookies in curl -v output or saved requests
    (
        re.compile(
            rf"(?im)(?P<head>^[<>*]?{_SP}*(?:proxy-authorization|authorization|cookie|set-cookie){_SP}*:{_SP}*)"
            rf"(?P<value>[^{_EOL}]*)"
        ),
        _auth_header,
    ),
    # cachemgr_passwd SECRET action ...; snmp_community ACL values
    (re.compile(rf"(?im)(?P<head>^{_SP}*cachemgr_passwd{_SP}+)(?!\*{{8}}|none\b|disable\b)\S+"), rf"\g<head>{MASK}"),
    (re.compile(rf"(?im)(?P<head>^{_SP}*acl{_SP}+\S+{_SP}+snmp_community{_SP}+)(?!\*{{8}})\S+"), rf"\g<head>{MASK}"),
    # auth_param / external_acl_type helper arguments: -w SECRET, --password SECRET, password SECRET
    (re.compile(rf"(?m)^{_SP}*(?:auth_param|external_acl_type)\b[^{_EOL}]*"), _helper_line),
    # htpasswd-style user:hash lines (apr1, bcrypt, sha-crypt, {SHA}, DES crypt)
    (
        re.compile(
            r"(?m)(?P<head>^[\w.@-]+:)(?:\$(?:apr1|1|2[abxy]?|5|6|y|gy|7)\$[^\s:]+|\{SHA\}\S+|[./0-9A-Za-z]{13})"
            r"(?=:|$)"
        ),
        rf"\g<head>{MASK}",
    ),
    # Vendor firewall configs: PAN-OS XML elements, Junos $9$/crypt strings, FortiGate ENC blobs,
    # Cisco "password X" / "pre-shared-key X" / "key-string X" forms
    (
        re.compile(r"(?P<head><(?P<tag>phash|password|passwd|secret|private-key|pre-shared-key|api-key|key)>)"
                   r"(?!\*{8}<)[^<]+(?=</(?P=tag)>)"),
        rf"\g<head>{MASK}",
    ),
    (re.compile(r"(?P<q>\"?)\$(?:9|1|5|6)\$[^\s\";]+(?P=q)"), rf"\g<q>{MASK}\g<q>"),
    (re.compile(rf"(?P<head>\bENC{_SP}+)(?!\*{{8}})[^\s\"]+"), rf"\g<head>{MASK}"),
    (
        re.compile(
            rf"(?im)(?P<head>(?:^|{_SP})(?:password|passwd|secret|pre-shared-key|key-string|psksecret"
            rf"|isakmp{_SP}+key|community)"
            rf"{_SP}+(?:[0-9]{_SP}+)?)(?!\*{{8}})(?!encrypted\b|ENC\b|ascii-text\b|hexadecimal\b)(?P<v>[^\s;]+)"
        ),
        rf"\g<head>{MASK}",
    ),
    # Generic name=value or name: value pairs whose name says secret
    (
        re.compile(
            rf"(?P<head>(?:(?P<q>[\"'])|(?<!\w))(?P<name>[A-Za-z][\w.-]*)(?(q)(?P=q))(?P<sep>{_SP}*[=:]{_SP}*))"
            rf"(?P<value>\"[^\"{_EOL}]*\"|'[^'{_EOL}]*'|[^\s,;\"'}}\]]+)"
        ),
        _name_value,
    ),
]


def mask_secrets(text: str) -> str:
    """Replace secrets in ``text`` with ``********``; the number and order of lines stay the same."""
    masked = _private_key_blocks(text)
    for pattern, replacement in _RULES:
        masked = pattern.sub(replacement, masked)
    return masked


def mask_data(value: Any, by_key: bool = True) -> Any:
    """A JSON-ready copy of ``value``: every string through mask_secrets and, with ``by_key``, every
    scalar under a secret-looking key replaced by MASK. Use ``by_key`` only on free-form data
    (inventory data, finding details): fixed structures have keys such as ``PASS``."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            secret_scalar = isinstance(item, str | int | float) and not isinstance(item, bool) and item != ""
            hide = by_key and secret_scalar and is_secret_key(str(key))
            out[str(key)] = MASK if hide else mask_data(item, by_key)
        return out
    if isinstance(value, list | tuple):
        return [mask_data(item, by_key) for item in value]
    if isinstance(value, str):
        return mask_secrets(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_secrets(str(value))  # dates, paths, enums: written as their text
