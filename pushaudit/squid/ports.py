"""Parse ``http_port``/``https_port`` and ``cache_peer`` lines."""

from __future__ import annotations

from typing import Literal

from pushaudit.squid.loader import parse_error
from pushaudit.squid.model import CachePeer, Directive, Port, PortMode

_ACCEL_OPTIONS = ("accel", "vhost", "vport", "defaultsite=", "vport=")


def _port_number(text: str, directive: Directive) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise parse_error(f"{directive.name}: '{text}' is not a port number", directive.file, directive.line)
    return int(text)


def _split_spec(spec: str, directive: Directive) -> tuple[str | None, int]:
    """``3128``, ``10.0.0.1:3128``, ``[::1]:3128`` or ``name:3128`` -> (address, port)."""
    if spec.startswith("["):
        address, sep, rest = spec[1:].partition("]:")
        if not sep:
            raise parse_error(f"{directive.name}: bad IPv6 port spec '{spec}'", directive.file, directive.line)
        return address, _port_number(rest, directive)
    if ":" in spec:
        address, _, port = spec.rpartition(":")
        return address or None, _port_number(port, directive)
    return None, _port_number(spec, directive)


def parse_port(directive: Directive) -> Port:
    if not directive.args:
        raise parse_error(f"{directive.name} without a port", directive.file, directive.line)
    spec, *options = directive.args
    address, number = _split_spec(spec, directive)
    mode: PortMode = "forward"
    name = spec
    tls_cert: str | None = None
    for option in options:
        key, _, value = option.partition("=")
        if option in ("intercept", "transparent"):
            mode = "intercept"
        elif option == "tproxy":
            mode = "tproxy"
        elif option in _ACCEL_OPTIONS or option.startswith(("defaultsite=", "vport=")):
            mode = "accel" if mode == "forward" else mode
        elif key == "name":
            name = value
        elif key in ("tls-cert", "cert"):
            tls_cert = value
    kind: Literal["http_port", "https_port"] = "https_port" if directive.name == "https_port" else "http_port"
    return Port(kind, address, number, mode, "ssl-bump" in options, tls_cert, name, tuple(options), directive)


def parse_peer(directive: Directive) -> CachePeer:
    if len(directive.args) < 4:
        raise parse_error("cache_peer needs: hostname type http-port icp-port", directive.file, directive.line)
    host, kind, http_port, icp_port, *options = directive.args
    if kind not in ("parent", "sibling", "multicast"):
        message = f"cache_peer type '{kind}' is not parent, sibling or multicast"
        raise parse_error(message, directive.file, directive.line)
    port = _port_number(http_port, directive)
    if not icp_port.isdigit():
        raise parse_error(f"cache_peer ICP port '{icp_port}' is not a number", directive.file, directive.line)
    name = next((o.partition("=")[2] for o in options if o.startswith("name=")), host)
    return CachePeer(host, kind, port, name, tuple(options), directive)
