"""Seeded generator of large, realistic Cisco ASA configurations in the fixture format.

Noise rules never match a packet from the client networks to Apple (their destinations are
never Apple's and never ``any`` unless the source is a non-client network), so the verdicts
are decided by a few planted rules whose positions the generator records:

  quarantine  deny tcp (a /24 inside the clients) any                 -> drop
  apns        permit tcp CLIENTS APPLE (5223, https) via nested groups  -> accept
  shadowed    permit tcp CLIENTS APPLE eq 5223 (right after apns)     -> shadowed by apns
  final       deny ip any any                                          -> drops 2197

Usage: python generate_asa_config.py SEED RULES [--ipv6] [--out FOLDER]
(writes FOLDER/config.txt and FOLDER/expected.yaml; without --out prints the config).
"""

from __future__ import annotations

import argparse
import ipaddress
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CLIENTS4 = ["10.128.0.0/16", "10.129.0.0/16"]
CLIENTS6 = "2001:db8:128::/48"
QUARANTINE = "10.129.66.0 255.255.255.0"
APNS4 = [("17.249.0.0", "255.255.0.0"), ("17.252.0.0", "255.255.0.0"), ("17.57.144.0", "255.255.252.0"),
         ("17.188.128.0", "255.255.192.0"), ("17.188.20.0", "255.255.254.0")]
APNS6 = ["2620:149:a44::/48", "2403:300:a42::/48", "2403:300:a51::/48", "2a01:b740:a42::/48"]
PORT_WORDS = ["www", "https", "ssh", "smtp", "domain", "ldap", "ldaps", "ntp", "sqlnet", "8080", "8443", "3389",
              "1521", "5432", "9443", "imap4", "pop3", "ftp", "telnet", "snmp"]
LOG = ["", " log", " log warnings", " log 6 interval 300", " log disable", " log notifications"]


@dataclass
class Generated:
    lines: dict[str, list[str]] = field(default_factory=dict)
    planted: dict[str, int] = field(default_factory=dict)  # name -> ASA line number in INSIDE-IN
    inactive: list[int] = field(default_factory=list)

    def text(self) -> str:
        return "".join(f"#### pushaudit:command {cid}\n" + "".join(f"{x}\n" for x in out)
                       for cid, out in self.lines.items())


class _Gen:
    def __init__(self, seed: int, rules: int, ipv6: bool) -> None:
        self.rnd = random.Random(seed)
        self.seed, self.rules, self.ipv6 = seed, rules, ipv6
        self.out = Generated()
        self.nets: list[str] = []  # noise network objects
        self.groups: list[str] = []  # noise network groups
        self.svc: list[str] = []  # noise service objects
        self.port_groups: list[str] = []

    def noise_prefix(self) -> str:
        r = self.rnd
        kind = r.randrange(4)
        if kind == 0:
            return f"172.{r.randrange(16, 32)}.{r.randrange(256)}.0 255.255.255.0"
        if kind == 1:
            return f"192.168.{r.randrange(256)}.0 255.255.255.{r.choice([0, 128, 192, 224])}"
        if kind == 2 and self.ipv6:
            return f"2001:db8:f{r.randrange(4096):03x}::/48"
        return f"198.51.100.{r.randrange(0, 256, 16)} 255.255.255.240"

    def build(self) -> Generated:
        self._version()
        self._interfaces()
        self.out.lines["running_config_route"] = ["route outside 0.0.0.0 0.0.0.0 192.0.2.1 1"]
        if self.ipv6:
            self.out.lines["running_config_ipv6"] = ["ipv6 route outside ::/0 2001:db8:ffff::1"]
        self.out.lines["running_config_names"] = ["names"] + [
            f"name 172.20.{i}.{self.rnd.randrange(1, 254)} srv-{i:03d}" for i in range(30)]
        self._objects()
        self._groups()
        self._access_lists()
        self.out.lines["running_config_access_group"] = [
            "access-group OUTSIDE-IN in interface outside", "access-group INSIDE-IN in interface inside",
            "access-group DMZ-IN in interface dmz"]
        return self.out

    def _version(self) -> None:
        self.out.lines["show_version"] = [
            "", "Cisco Adaptive Security Appliance Software Version 9.18(4)22 ", "",
            f"asa-gen{self.seed} up 5 days 2 hours", "",
            "Hardware:   ASAv50, 16384 MB RAM, CPU Xeon 4100/6100/8100 series 2200 MHz, 1 CPU (8 cores)"]

    def _interfaces(self) -> None:
        lines = ["!", "interface GigabitEthernet0/0", " nameif outside", " security-level 0",
                 " ip address 192.0.2.2 255.255.255.0 "]
        if self.ipv6:
            lines.append(" ipv6 address 2001:db8:ffff::2/64")
        lines += ["!", "interface GigabitEthernet0/1", " nameif inside", " security-level 100",
                  " ip address 10.128.0.1 255.254.0.0 "]
        if self.ipv6:
            lines.append(" ipv6 address 2001:db8:128::1/48")
        lines += ["!", "interface GigabitEthernet0/2", " nameif dmz", " security-level 50",
                  " ip address 172.31.255.1 255.255.255.0 "]
        for vlan in range(20):
            lines += ["!", f"interface GigabitEthernet0/3.{100 + vlan}", f" vlan {100 + vlan}",
                      f" nameif vlan{100 + vlan}", f" security-level {self.rnd.randrange(20, 90)}",
                      f" ip address 10.{150 + vlan}.0.1 255.255.255.0 "]
        self.out.lines["running_config_interface"] = [*lines, "!"]

    def _objects(self) -> None:
        r = self.rnd
        lines: list[str] = []
        for i in range(max(20, self.rules // 8)):
            name = f"OBJ-N{i:05d}"
            prefix = self.noise_prefix()
            if "/" in prefix:
                lines += [f"object network {name}", f" subnet {prefix}"]
            elif r.random() < 0.3:
                base = prefix.split()[0].rsplit(".", 1)[0]
                lines += [f"object network {name}", f" host {base}.{r.randrange(1, 254)}"]
            elif r.random() < 0.15:
                base = prefix.split()[0].rsplit(".", 1)[0]
                lines += [f"object network {name}", f" range {base}.10 {base}.{r.randrange(11, 250)}"]
            else:
                lines += [f"object network {name}", f" subnet {prefix}"]
            if r.random() < 0.2:
                lines.append(f" description generated noise object {i}")
            self.nets.append(name)
        for i in range(max(10, self.rules // 40)):
            name = f"SVC-N{i:04d}"
            proto = r.choice(["tcp", "udp"])
            lines += [f"object service {name}", f" service {proto} destination eq {r.choice(PORT_WORDS)} "]
            self.svc.append(name)
        lines += ["object network OBJ-QUARANTINE", f" subnet {QUARANTINE}", " description Quarantined devices"]
        self.out.lines["running_config_object"] = lines

    def _groups(self) -> None:
        r = self.rnd
        lines: list[str] = []
        for i in range(max(10, self.rules // 30)):
            name = f"OG-N{i:04d}"
            lines.append(f"object-group network {name}")
            for member in r.sample(self.nets, k=min(len(self.nets), r.randrange(2, 8))):
                lines.append(f" network-object object {member}")
            if self.groups and r.random() < 0.3:
                lines.append(f" group-object {r.choice(self.groups)}")
            self.groups.append(name)
        for i in range(max(5, self.rules // 200)):
            name = f"OG-PORTS-N{i:03d}"
            lines.append(f"object-group service {name} tcp")
            for word in r.sample(PORT_WORDS, k=3):
                lines.append(f" port-object eq {word}")
            self.port_groups.append(name)
        lines += ["object-group network OG-CLIENTS-L2", *(f" network-object {_v4(c)}" for c in CLIENTS4)]
        if self.ipv6:
            lines.append(f" network-object {CLIENTS6}")
        lines += ["object-group network OG-CLIENTS", " description Managed Apple devices",
                  " group-object OG-CLIENTS-L2"]
        lines += ["object-group network OG-APPLE-L3", *(f" network-object {a} {m}" for a, m in APNS4)]
        if self.ipv6:
            lines += [f" network-object {p}" for p in APNS6]
        lines += ["object-group network OG-APPLE-L2", " group-object OG-APPLE-L3",
                  "object-group network OG-APPLE", " description Apple push ranges", " group-object OG-APPLE-L2",
                  "object-group service OG-APNS-PORTS tcp", " port-object eq 5223", " port-object eq https"]
        self.out.lines["running_config_object_group"] = lines

    def _noise_side(self, client_ok: bool) -> str:
        r = self.rnd
        pick = r.random()
        if pick < 0.35:
            return f"object {r.choice(self.nets)}"
        if pick < 0.6:
            return f"object-group {r.choice(self.groups)}"
        if pick < 0.7:
            return f"host srv-{r.randrange(30):03d}"
        if pick < 0.8 and client_ok:
            return "object-group OG-CLIENTS"
        return self.noise_prefix()

    def _noise_rule(self, acl: str) -> str:
        r = self.rnd
        action = "permit" if r.random() < 0.7 else "deny"
        src = "any" if r.random() < 0.15 else self._noise_side(client_ok=True)
        # a destination of "any" only from a non-client source: noise never reaches Apple
        dst = "any" if src not in ("any", "object-group OG-CLIENTS") and r.random() < 0.2 else self._noise_side(False)
        pick = r.random()
        if pick < 0.25:
            service = f"object {r.choice(self.svc)} {src} {dst}"
        elif pick < 0.4:
            service = f"tcp {src} {dst} object-group {r.choice(self.port_groups)}"
        elif pick < 0.55:
            low = r.randrange(1024, 60000)
            service = f"tcp {src} {dst} range {low} {low + r.randrange(1, 500)}"
        elif pick < 0.65:
            service = f"icmp {src} {dst} echo"
        elif pick < 0.7:
            service = f"ip {src} {dst}"
        else:
            service = f"{r.choice(['tcp', 'udp'])} {src} {dst} eq {r.choice(PORT_WORDS)}"
        extra = r.choice(LOG) + (" time-range BACKUP-WINDOW" if r.random() < 0.02 else "")
        return f"access-list {acl} extended {action} {service}{extra} "

    def _access_lists(self) -> None:
        r = self.rnd
        lines: list[str] = []
        inside: list[str] = []
        total = self.rules
        plants = {int(total * 0.3): "quarantine", int(total * 0.6): "apns"}
        for i in range(total):
            if r.random() < 0.08:
                inside.append(f"access-list INSIDE-IN remark generated block {i} - change CHG{r.randrange(10**6):06d}")
            if i in plants:
                self._plant(inside, plants[i])
                continue
            rule = self._noise_rule("INSIDE-IN")
            if r.random() < 0.02:
                rule += "inactive "
                self.out.inactive.append(len(inside) + 1)
            inside.append(rule)
        inside.append("access-list INSIDE-IN extended deny ip any any log ")
        self.out.planted["final"] = len(inside)
        lines += inside
        lines += [self._noise_rule("OUTSIDE-IN") for _ in range(max(5, total // 20))]
        lines.append("access-list OUTSIDE-IN extended deny ip any any log ")
        lines += [self._noise_rule("DMZ-IN") for _ in range(max(5, total // 20))]
        lines.append("access-list DMZ-IN extended deny ip any any ")
        lines += [f"access-list SPLIT-{i} standard permit 10.{i}.0.0 255.255.0.0 " for i in range(5)]
        self.out.lines["running_config_access_list"] = lines

    def _plant(self, inside: list[str], what: str) -> None:
        if what == "quarantine":
            inside.append("access-list INSIDE-IN remark Quarantine: no Internet")
            inside.append("access-list INSIDE-IN extended deny tcp object OBJ-QUARANTINE any log ")
            self.out.planted["quarantine"] = len(inside)
            return
        inside.append("access-list INSIDE-IN remark Apple push notifications (APNs)")
        inside.append("access-list INSIDE-IN extended permit tcp object-group OG-CLIENTS object-group OG-APPLE "
                      "object-group OG-APNS-PORTS log ")
        self.out.planted["apns"] = len(inside)
        inside.append("access-list INSIDE-IN extended permit tcp object-group OG-CLIENTS object-group OG-APPLE "
                      "eq 5223 ")
        self.out.planted["shadowed"] = len(inside)


def _v4(cidr: str) -> str:
    net = ipaddress.IPv4Network(cidr)
    return f"{net.network_address} {net.netmask}"


def generate(seed: int, rules: int, ipv6: bool = False) -> Generated:
    return _Gen(seed, rules, ipv6).build()


def expected(gen: Generated, ipv6: bool) -> dict[str, object]:
    p = gen.planted
    q4 = {
        "name": "clients to the APNs ranges (IPv4)",
        "src": CLIENTS4,
        "dst": [f"{a}/{_prefixlen(m)}" for a, m in APNS4],
        "ports": [5223, 443, 2197],
        "points": [
            {"packet": "10.128.0.10:40000 -> 17.249.0.10:5223", "verdict": "accept",
             "rule": {"chain": "INSIDE-IN", "index": p["apns"]}, "iif": "inside", "oif": "outside"},
            {"packet": "10.129.1.1:40000 -> 17.57.145.36:443", "verdict": "accept",
             "rule": {"chain": "INSIDE-IN", "index": p["apns"]}},
            {"packet": "10.128.0.10:40000 -> 17.249.0.10:2197", "verdict": "drop",
             "rule": {"chain": "INSIDE-IN", "index": p["final"]},
             "snippet_contains": [f"access-list INSIDE-IN line {p['final']} extended permit tcp"]},
            {"packet": "10.129.66.5:40000 -> 17.249.0.10:5223", "verdict": "drop",
             "rule": {"chain": "INSIDE-IN", "index": p["quarantine"]}},
        ],
        "shadowed": [{"chain": "INSIDE-IN", "index": p["shadowed"]}],
    }
    queries = [q4]
    if ipv6:
        queries.append({
            "name": "clients to the APNs ranges (IPv6)",
            "src": [CLIENTS6],
            "dst": APNS6,
            "ports": [5223, 443, 2197],
            "points": [
                {"packet": "[2001:db8:128::10]:40000 -> [2620:149:a44::10]:5223", "verdict": "accept",
                 "rule": {"chain": "INSIDE-IN", "index": p["apns"]}},
                {"packet": "[2001:db8:128::10]:40000 -> [2a01:b740:a42::10]:2197", "verdict": "drop",
                 "rule": {"chain": "INSIDE-IN", "index": p["final"]}},
            ],
            "shadowed": [{"chain": "INSIDE-IN", "index": p["shadowed"]}],
        })
    return {
        "description": "generated by tests/firewalls/cisco_asa/generate_asa_config.py; noise never reaches "
                       "Apple, planted rules decide",
        "client_networks": CLIENTS4 + ([CLIENTS6] if ipv6 else []),
        "no_warnings": True,
        "inactive": [{"chain": "INSIDE-IN", "index": i} for i in gen.inactive],
        "queries": queries,
    }


def _prefixlen(mask: str) -> int:
    return sum(bin(int(octet)).count("1") for octet in mask.split("."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed", type=int)
    parser.add_argument("rules", type=int)
    parser.add_argument("--ipv6", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    gen = generate(args.seed, args.rules, args.ipv6)
    if args.out is None:
        print(gen.text(), end="")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "config.txt").write_text(gen.text(), encoding="utf-8")
    header = f"# generated: python generate_asa_config.py {args.seed} {args.rules}{' --ipv6' if args.ipv6 else ''}\n"
    body = yaml.safe_dump(expected(gen, args.ipv6), sort_keys=False, width=120)
    (args.out / "expected.yaml").write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    main()
