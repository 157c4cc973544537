"""Seeded generator of large FortiGate configurations in the fixture format (config.txt).

The background (objects, services, policies between branch zones and the Internet) is random
but never touches Apple's 17.0.0.0/8 or the campus client networks; a few planted policies make
the Apple verdicts known in advance, so expected.yaml can be written by hand:

* policy 9001 "guest-no-5223" (position PLANT_AT): guests may not use TCP 5223       -> drop
* policy 9002 "apple-push" : campus and guests to Apple on 443/5223/2197             -> accept
* policy 9003 "apple-push-old": an exact copy of 9002 for the campus, so it is shadowed
* policy 9004 "apple-legacy" : disabled

Usage: python fortinet_generate.py [--seed N] [--policies N] [OUTPUT]
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
from pathlib import Path

MARK = "#### pushaudit:command"
ZONES = {"campus": ["port2"], "guest": ["port4"], "branches": ["tun-b1", "tun-b2"], "servers": ["port3"]}
PLANT_AT = 0.6  # the planted policies sit this far down the list


def _q(names: list[str]) -> str:
    return " ".join(f'"{n}"' for n in names)


class Generator:
    def __init__(self, seed: int, policies: int) -> None:
        self.rng = random.Random(seed)
        self.count = policies
        self.lines: list[str] = []

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def command(self, command_id: str) -> None:
        self.emit(f"{MARK} {command_id}")

    def run(self) -> str:
        self.status()
        self.interfaces()
        self.routes()
        addresses, groups = self.addresses()
        services = self.services()
        self.policies(addresses + groups, services)
        return "\n".join(self.lines) + "\n"

    def status(self) -> None:
        self.command("system_status")
        self.emit("Version: FortiGate-600E v7.2.8,build1639,240313 (GA.M)", "Hostname: FGT-GEN",
                  "Operation Mode: NAT", "Current virtual domain: root", "Virtual domain configuration: disable")

    def interfaces(self) -> None:
        self.command("system_interface")
        self.emit("config system interface")
        plan = [("port1", "203.0.113.2 255.255.255.252", "wan"), ("port2", "10.1.0.1 255.255.0.0", "lan"),
                ("port3", "172.20.0.1 255.255.0.0", "dmz"), ("port4", "10.110.0.1 255.255.0.0", "lan"),
                ("port9", "192.168.99.1 255.255.255.0", "")]
        for name, ip, role in plan:
            self.emit(f'    edit "{name}"', '        set vdom "root"', f"        set ip {ip}",
                      "        set allowaccess ping", "        set type physical")
            if role:
                self.emit(f"        set role {role}")
            if name == "port9":
                self.emit("        set dedicated-to management")
            self.emit("    next")
        for tunnel in ZONES["branches"]:
            self.emit(f'    edit "{tunnel}"', '        set vdom "root"', "        set type tunnel",
                      '        set interface "port1"', "    next")
        self.emit("end")
        self.command("system_zone")
        self.emit("config system zone")
        for zone, members in ZONES.items():
            self.emit(f'    edit "{zone}"', f"        set interface {_q(members)}", "    next")
        self.emit("end")

    def routes(self) -> None:
        self.command("router_static")
        self.emit("config router static", "    edit 1", "        set gateway 203.0.113.1", '        set device "port1"',
                  "    next")
        for n, tunnel in enumerate(ZONES["branches"], start=2):
            self.emit(f"    edit {n}", f"        set dst 10.{18 + n}.0.0 255.255.0.0", f'        set device "{tunnel}"',
                      "    next")
        self.emit("end")

    def addresses(self) -> tuple[list[str], list[str]]:
        self.command("firewall_address")
        self.emit("config firewall address", '    edit "all"', "    next", '    edit "apple-17"',
                  "        set subnet 17.0.0.0 255.0.0.0", "    next", '    edit "campus-net"',
                  "        set subnet 10.1.0.0 255.255.0.0", "    next", '    edit "guest-net"',
                  "        set subnet 10.110.0.0 255.255.0.0", "    next")
        names: list[str] = []
        for i in range(max(20, self.count // 4)):
            name = f"h-{i:05d}"
            names.append(name)
            self.emit(f'    edit "{name}"', f"        set uuid {self.rng.getrandbits(128):032x}")
            kind = self.rng.random()
            if kind < 0.6:
                net = ipaddress.ip_network(f"100.{64 + self.rng.randrange(64)}.{self.rng.randrange(256)}.0/24")
                self.emit(f"        set subnet {net.network_address} {net.netmask}")
            elif kind < 0.85:
                base = self.rng.randrange(1, 200)
                self.emit("        set type iprange", f"        set start-ip 198.51.100.{base}",
                          f"        set end-ip 198.51.100.{base + self.rng.randrange(1, 50)}")
            else:
                self.emit("        set type fqdn", f'        set fqdn "svc{i}.example.net"')
            self.emit(f'        set comment "generated object {i}"', "    next")
        self.emit("end")
        self.command("firewall_addrgrp")
        self.emit("config firewall addrgrp", '    edit "apple-ranges"', '        set member "apple-17"', "    next",
                  '    edit "apple-clients"', '        set member "campus-net" "guest-net"', "    next")
        groups: list[str] = []
        for i in range(max(5, self.count // 40)):
            name = f"grp-{i:04d}"
            members = self.rng.sample(names, 3) + (self.rng.sample(groups, 1) if groups and i % 3 == 0 else [])
            self.emit(f'    edit "{name}"', f"        set member {_q(members)}", "    next")
            groups.append(name)
        self.emit("end")
        return names, groups

    def services(self) -> list[str]:
        self.command("firewall_service_custom")
        self.emit("config firewall service custom", '    edit "ALL"', "        set protocol IP", "    next",
                  '    edit "HTTPS"', "        set tcp-portrange 443", "    next", '    edit "APNs"',
                  "        set tcp-portrange 5223 2197", "    next", '    edit "APNs-5223"',
                  "        set tcp-portrange 5223", "    next")
        names: list[str] = []
        for i in range(max(10, self.count // 50)):
            name = f"svc-{i:04d}"
            names.append(name)
            low = self.rng.randrange(1024, 60000)
            ranges = f"{low}-{low + self.rng.randrange(0, 20)}" + (":1024-65535" if i % 7 == 0 else "")
            key = "udp-portrange" if i % 5 == 0 else "tcp-portrange"
            self.emit(f'    edit "{name}"', f"        set {key} {ranges}", "    next")
        self.emit("end")
        self.command("firewall_service_group")
        self.emit("config firewall service group", '    edit "apple-push"', '        set member "APNs" "HTTPS"',
                  "    next", "end")
        return names

    def policies(self, addresses: list[str], services: list[str]) -> None:
        self.command("firewall_policy")
        self.emit("config firewall policy")
        plant = int(self.count * PLANT_AT)
        used: set[int] = set()
        for position in range(self.count):
            if position == plant:
                self.planted()
            policy_id = self.rng.randrange(1, 10 * self.count + 9000)
            while policy_id in used or 9001 <= policy_id <= 9004:
                policy_id = self.rng.randrange(1, 10 * self.count + 9000)
            used.add(policy_id)
            self.background(policy_id, addresses, services)
        self.emit("end")

    def background(self, policy_id: int, addresses: list[str], services: list[str]) -> None:
        src_zone, dst_zone = self.rng.choice([("branches", "port1"), ("servers", "port1"), ("branches", "servers")])
        action = "deny" if self.rng.random() < 0.2 else "accept"
        self.emit(f"    edit {policy_id}", f'        set name "rule-{policy_id}"',
                  f"        set uuid {self.rng.getrandbits(128):032x}")
        if self.rng.random() < 0.03:
            self.emit("        set status disable")
        src = _q(self.rng.sample(addresses, self.rng.randrange(1, 4)))
        dst = _q(self.rng.sample(addresses, self.rng.randrange(1, 4)))
        svc = _q(self.rng.sample(services, self.rng.randrange(1, 3)))
        self.emit(f'        set srcintf "{src_zone}"', f'        set dstintf "{dst_zone}"',
                  f"        set action {action}", f"        set srcaddr {src}", f"        set dstaddr {dst}",
                  '        set schedule "always"', f"        set service {svc}", "        set logtraffic all")
        if action == "accept" and dst_zone == "port1":
            self.emit("        set nat enable")
        self.emit("    next")

    def planted(self) -> None:
        self.emit("    edit 9001", '        set name "guest-no-5223"', '        set srcintf "guest"',
                  '        set dstintf "port1"', "        set action deny", '        set srcaddr "guest-net"',
                  '        set dstaddr "all"', '        set schedule "always"', '        set service "APNs-5223"',
                  "    next",
                  "    edit 9002", '        set name "apple-push"', '        set srcintf "campus" "guest"',
                  '        set dstintf "port1"', "        set action accept", '        set srcaddr "apple-clients"',
                  '        set dstaddr "apple-ranges"', '        set schedule "always"',
                  '        set service "apple-push"', "        set nat enable", "    next",
                  "    edit 9003", '        set name "apple-push-old"', '        set srcintf "campus"',
                  '        set dstintf "port1"', "        set action accept", '        set srcaddr "campus-net"',
                  '        set dstaddr "apple-17"', '        set schedule "always"', '        set service "APNs"',
                  "        set nat enable", "    next",
                  "    edit 9004", '        set name "apple-legacy"', "        set status disable",
                  '        set srcintf "campus"', '        set dstintf "port1"', "        set action accept",
                  '        set srcaddr "campus-net"', '        set dstaddr "apple-17"', '        set schedule "always"',
                  '        set service "ALL"', "    next")


def generate(seed: int, policies: int) -> str:
    return Generator(seed, policies).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--policies", type=int, default=120)
    parser.add_argument("output", nargs="?")
    args = parser.parse_args(argv)
    text = generate(args.seed, args.policies)
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
