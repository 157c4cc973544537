"""Seeded generator of large, realistic SRX configurations whose answers are known by construction.

Filler policies never concern Apple: every filler destination is a server address of its own in
private space, and a filler with ``destination-address any`` uses an application port no other
policy uses, so no filler shadows another and none decides APNs traffic. Planted policies carry
the answers (expected.yaml is written from the plan, not from running the parser).

Regenerate the fixture case:  .venv/bin/python tests/firewalls/juniper_junos/junos_generator.py
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CASE = Path(__file__).resolve().parents[2] / "fixtures" / "firewalls" / "juniper_junos" / "generated_enterprise"
SITES = 8
_APNS = {443, 2197, 5223}


@dataclass
class Plan:
    security: list[str] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    routing: list[str] = field(default_factory=list)
    inactive: list[str] = field(default_factory=list)
    shadowed: list[str] = field(default_factory=list)
    policies: int = 0

    def outputs(self) -> dict[str, str]:
        return {
            "show_version": "Hostname: srx-gen-1\nModel: srx4600\nJunos: 23.4R1.9\n",
            "configuration_security": "\n".join(self.security) + "\n",
            "configuration_applications": "\n".join(self.applications) + "\n",
            "configuration_interfaces": "\n".join(self.interfaces) + "\n",
            "configuration_routing_options": "\n".join(self.routing) + "\n",
        }


class _Gen:
    def __init__(self, seed: int, fillers: int) -> None:
        self.rng = random.Random(seed)
        self.plan = Plan()
        self.fillers = fillers
        self.next_host = 0
        self.next_port = 20000  # unique ports for "destination any" fillers
        self.apps: list[str] = []

    def sec(self, line: str) -> None:
        self.plan.security.append("set security " + line)

    def host(self) -> str:
        """A fresh server address in 172.16.0.0/12 (never Apple, never a client)."""
        self.next_host += 1
        n = self.next_host
        return f"172.{16 + (n >> 16) % 16}.{(n >> 8) & 255}.{n & 255}/32"

    def base(self) -> None:
        p = self.plan
        p.interfaces += ["set interfaces ge-0/0/0 unit 0 family inet address 203.0.113.10/29",
                         "set interfaces ge-0/0/1 unit 0 family inet address 10.1.0.1/16",
                         "set interfaces ge-0/0/2 unit 0 family inet address 10.2.0.1/16",
                         "set interfaces ge-0/0/3 unit 0 family inet address 172.16.0.1/12"]
        p.routing.append("set routing-options static route 0.0.0.0/0 next-hop 203.0.113.9")
        zones = [("untrust", "ge-0/0/0.0"), ("trust", "ge-0/0/1.0"), ("guest", "ge-0/0/2.0"), ("servers", "ge-0/0/3.0")]
        for site in range(SITES):
            unit = f"ge-0/1/{site}.0"
            p.interfaces.append(f"set interfaces ge-0/1/{site} unit 0 family inet address 10.{100 + site}.0.1/16")
            zones.append((f"site-{site:02d}", unit))
        for zone, unit in zones:
            self.sec(f"zones security-zone {zone} interfaces {unit}")
            self.sec(f"zones security-zone {zone} host-inbound-traffic system-services ping")
        for n in range(12):
            self.sec(f"screen ids-option SCR-{n} tcp syn-flood attack-threshold {200 + n}")
            self.sec(f"screen ids-option SCR-{n} icmp ping-death")
        for n in range(24):
            port = self.rng.choice([p for p in range(1024, 1999) if p not in _APNS])
            name = f"app-custom-{n:03d}"
            proto = self.rng.choice(["tcp", "udp"])
            p.applications += [f"set applications application {name} protocol {proto}",
                               f"set applications application {name} destination-port {port}"]
            self.apps.append(name)
        for n in range(6):
            name = f"aset-custom-{n}"
            for member in self.rng.sample(self.apps[:24], 3):
                p.applications.append(f"set applications application-set {name} application {member}")
            self.apps.append(name)
        p.applications += ["set applications application apns-5223 protocol tcp destination-port 5223",
                           "set applications application apns-2197 protocol tcp destination-port 2197",
                           "set applications application-set aset-apns application apns-5223",
                           "set applications application-set aset-apns application apns-2197",
                           "set applications application-set aset-apns application junos-https"]
        self.sec("address-book global address net-apple 17.0.0.0/8")
        for i, net in enumerate(["17.249.0.0/16", "17.252.0.0/16", "17.57.144.0/22", "17.188.128.0/18"]):
            self.sec(f"address-book global address net-apns-{i} {net}")
            self.sec(f"address-book global address-set as-apns-v4 address net-apns-{i}")
        self.sec("address-book global address-set as-apns address-set as-apns-v4")
        self.sec("address-book global address net-trust 10.1.0.0/16")
        self.sec("address-book global address net-trust-legacy 10.1.200.0/24")
        self.sec("address-book global address net-guest 10.2.0.0/16")
        # a legacy per-zone address book (older Junos style) for the servers zone
        self.sec("zones security-zone servers address-book address srv-legacy-1 172.16.250.1/32")
        self.sec("zones security-zone servers address-book address-set as-srv-legacy address srv-legacy-1")

    def filler(self, zone_from: str, zone_to: str, name: str) -> None:
        where = f"policies from-zone {zone_from} to-zone {zone_to} policy {name}"
        self.plan.policies += 1
        dst_any = self.rng.random() < 0.1
        if dst_any:
            self.next_port += 1
            app = f"app-uniq-{self.next_port}"
            self.plan.applications += [f"set applications application {app} protocol tcp",
                                       f"set applications application {app} destination-port {self.next_port}"]
            dst, apps = "any", [app]
        else:
            dst = f"srv-{self.next_host + 1:05d}"
            self.sec(f"address-book global address {dst} {self.host()}")
            apps = self.rng.sample(self.apps, self.rng.randint(1, 3)) if self.rng.random() < 0.8 else ["any"]
        src = self.rng.choice(["any", "net-trust", "net-guest"])
        self.sec(f"{where} match source-address {src}")
        self.sec(f"{where} match destination-address {dst}")
        for app in apps:
            self.sec(f"{where} match application {app}")
        self.sec(f"{where} then {self.rng.choice(['permit', 'permit', 'deny', 'reject'])}")
        if self.rng.random() < 0.3:
            self.sec(f"{where} then log session-close")
        if self.rng.random() < 0.02:
            self.plan.security.append(f"deactivate security {where}")
            self.plan.inactive.append(name)

    def planted(self, zone_from: str, name: str, src_dst: tuple[str, str], apps: list[str], action: str) -> None:
        src, dst = src_dst
        where = f"policies from-zone {zone_from} to-zone untrust policy {name}"
        self.plan.policies += 1
        for kind, values in (("source-address", [src]), ("destination-address", [dst]), ("application", apps)):
            for value in values:
                self.sec(f"{where} match {kind} {value}")
        self.sec(f"{where} then {action}")

    def build(self) -> Plan:
        self.base()
        pairs = [("trust", "untrust"), ("guest", "untrust"), ("trust", "servers")]
        pairs += [(f"site-{s:02d}", "untrust") for s in range(SITES)]
        per_pair = max(1, self.fillers // len(pairs))
        counter = 0
        for zone_from, zone_to in pairs:
            spots = sorted(self.rng.sample(range(per_pair), 2)) if per_pair >= 2 else [0, 0]
            for n in range(per_pair):
                if (zone_from, zone_to) == ("trust", "untrust") and n == spots[0]:
                    self.planted("trust", "deny-apns-legacy-subnet", ("net-trust-legacy", "net-apple"), ["apns-5223"],
                                 "deny")
                    self.planted("trust", "old-deny-apple", ("any", "net-apple"), ["any"], "deny")
                    self.plan.security.append("deactivate security policies from-zone trust to-zone untrust "
                                              "policy old-deny-apple")
                    self.plan.inactive.append("old-deny-apple")
                    self.planted("trust", "allow-apple-push", ("net-trust", "as-apns"), ["aset-apns"], "permit")
                if (zone_from, zone_to) == ("trust", "untrust") and n == spots[1]:
                    self.planted("trust", "allow-apple-push-copy", ("net-trust", "as-apns-v4"), ["apns-5223"], "permit")
                    self.plan.shadowed.append("allow-apple-push-copy")
                if (zone_from, zone_to) == ("guest", "untrust") and n == spots[0]:
                    self.planted("guest", "guest-https", ("net-guest", "any"), ["junos-https"], "permit")
                counter += 1
                self.filler(zone_from, zone_to, f"p-{zone_from}-{counter:05d}")
        for n in range(10):
            name = f"g-{n:03d}"
            dst = f"srv-{self.next_host + 1:05d}"
            self.sec(f"address-book global address {dst} {self.host()}")
            for kind, value in (("source-address", "any"), ("destination-address", dst),
                                ("application", self.rng.choice(self.apps)), ("from-zone", "any"),
                                ("to-zone", self.rng.choice(["servers", "untrust"]))):
                self.sec(f"policies global policy {name} match {kind} {value}")
            self.sec(f"policies global policy {name} then deny")
        self.sec("policies default-policy deny-all")
        return self.plan


def generate(seed: int = 20260301, fillers: int = 330) -> Plan:
    return _Gen(seed, fillers).build()


def expected(plan: Plan) -> dict[str, Any]:
    return {
        "description": "Generated by tests/firewalls/juniper_junos/junos_generator.py (seeded); "
                       "answers by construction.",
        "client_networks": ["10.1.0.0/16", "10.2.0.0/16"],
        "inactive": sorted(plan.inactive),
        "queries": [
            {"name": "trust to APNs", "src": ["10.1.0.0/16"], "dst": ["17.249.0.0/16", "17.57.144.0/22"],
             "ports": [5223, 443, 2197],
             "packets": {"10.1.5.5:50000 -> 17.249.1.1:5223": {"verdict": "accept", "rule": "allow-apple-push"},
                         "10.1.5.5:50000 -> 17.57.145.36:2197": {"verdict": "accept", "rule": "allow-apple-push"},
                         "10.1.200.9:50000 -> 17.249.1.1:5223": {"verdict": "drop", "rule": "deny-apns-legacy-subnet"},
                         "10.1.200.9:50000 -> 17.249.1.1:443": {"verdict": "accept", "rule": "allow-apple-push"}}},
            {"name": "guest to APNs", "src": ["10.2.0.0/16"], "dst": ["17.249.0.0/16"], "ports": [5223, 443, 2197],
             "expect": {5223: {"verdict": "drop", "rule": "default-policy"},
                        443: {"verdict": "accept", "rule": "guest-https"},
                        2197: {"verdict": "drop", "rule": "default-policy"}}},
            {"name": "site zone to APNs (explicit zones)", "src": ["10.103.0.0/16"], "dst": ["17.252.0.0/16"],
             "ports": [5223, 443], "iif": "site-03", "oif": "untrust",
             "expect": {5223: {"verdict": "drop", "rule": "default-policy"},
                        443: {"verdict": "drop", "rule": "default-policy"}}},
        ],
        "shadowed": sorted(plan.shadowed),
    }


def write_case(folder: Path = CASE) -> None:
    plan = generate()
    folder.mkdir(parents=True, exist_ok=True)
    parts = [f"#### pushaudit:command {cid}\n{text}" for cid, text in plan.outputs().items()]
    (folder / "config.txt").write_text("".join(parts), encoding="utf-8")
    (folder / "expected.yaml").write_text(yaml.safe_dump(expected(plan), sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    write_case(Path(sys.argv[1]) if len(sys.argv) > 1 else CASE)
