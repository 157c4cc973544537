"""Turn a DnsChain into boxes the report draws left to right: name -> CNAME -> ... -> answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from pushaudit.results import DnsChain, DnsStep

_ADDRESS_TYPES = ("A", "AAAA")


@dataclass(frozen=True)
class DnsLine:
    text: str
    ttl: int | None = None


@dataclass
class DnsBox:
    """One box of the drawing. ``arrow`` labels the arrow that leads into the box."""

    kind: str  # name, cname, address, nodata, noanswer, other
    title: str
    arrow: str = ""
    lines: list[DnsLine] = field(default_factory=list)
    failing: bool = False


@dataclass
class ChainView:
    name: str
    kind: str
    rcode: str
    verdict: str
    ok: bool
    source: str
    boxes: list[DnsBox]


def _address_box(steps: list[DnsStep]) -> DnsBox:
    rtype = steps[0].rtype
    noun = "address" if len(steps) == 1 else "addresses"
    return DnsBox(
        kind="address",
        title=f"{len(steps)} {rtype} {noun}",
        arrow=rtype,
        lines=[DnsLine(s.value, s.ttl) for s in steps],
    )


def chain_boxes(chain: DnsChain) -> list[DnsBox]:
    """The boxes of one chain, in the order the resolver followed it."""
    boxes = [DnsBox(kind="name", title=chain.name, arrow="", lines=[DnsLine(f"{chain.kind} name")])]
    pending: list[DnsStep] = []  # consecutive address records share one box
    for step in chain.steps:
        if pending and step.rtype != pending[0].rtype:
            boxes.append(_address_box(pending))
            pending = []
        if step.rtype in _ADDRESS_TYPES:
            pending.append(step)
        elif step.rtype == "CNAME":
            boxes.append(DnsBox("cname", step.value, "CNAME", [DnsLine(f"alias of {step.owner}", step.ttl)]))
        elif step.rtype == "SOA":
            lines = [DnsLine(f"SOA of {step.owner}", step.ttl), DnsLine(step.value)]
            boxes.append(DnsBox("nodata", "no address", "no A record", lines))
        else:
            boxes.append(DnsBox("other", step.value, step.rtype, [DnsLine(step.owner, step.ttl)]))
    if pending:
        boxes.append(_address_box(pending))
    if boxes[-1].kind in ("name", "cname"):
        # The answer stopped at a name: nothing (or an error) came after it.
        boxes.append(DnsBox("noanswer", "no answer", chain.rcode, [DnsLine(f"rcode {chain.rcode}")]))
    if not chain.ok:
        boxes[-1].failing = True  # where the chain ends is where it failed
    return boxes


def chain_view(chain: DnsChain) -> ChainView:
    return ChainView(
        name=chain.name,
        kind=chain.kind,
        rcode=chain.rcode,
        verdict=chain.verdict,
        ok=chain.ok,
        source=chain.source,
        boxes=chain_boxes(chain),
    )
