"""Seeded generator of realistic PAN-OS ``show config running`` XML (single vsys).

Filler rules never match traffic to Apple's 17.0.0.0/8: their destinations are private networks
and they never negate the destination; the scenario's planted rules, inserted at fixed positions,
are what decides. So the expectations of a generated fixture stay readable by hand.

    .venv/bin/python tests/firewalls/paloalto_panos/panos_generator.py large_mixed > config.txt
    .venv/bin/python tests/firewalls/paloalto_panos/panos_generator.py --rules 20000 > big.txt
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from typing import Any

ZONES = {"untrust": "ethernet1/1", "trust": "ethernet1/2", "dmz": "ethernet1/3", "guest": "ethernet1/4",
         "servers": "ethernet1/5", "voice": "ethernet1/6", "mgmt-net": "ethernet1/7"}
ADDRESSES = {"untrust": "203.0.113.2/29", "trust": "10.1.0.1/16", "dmz": "172.16.10.1/24",
             "guest": "10.110.0.1/16", "servers": "10.50.0.1/16", "voice": "10.60.0.1/16",
             "mgmt-net": "192.168.99.1/24"}
IPV6 = {"untrust": "2001:db8:ffff::2/64", "trust": "2001:db8:1::1/64"}
APPS = ["ssl", "web-browsing", "dns", "ntp", "ssh", "smtp", "ms-rdp", "ldap", "snmp", "syslog", "kerberos",
        "ms-ds-smb", "msrpc", "mysql", "oracle", "sip", "rtp", "ping", "traceroute", "icmp"]
FILLER_PORTS = [22, 25, 53, 80, 110, 123, 389, 636, 1433, 1521, 3306, 3389, 5060, 5432, 8080, 8443, 9000, 9443]

# Fixed objects every generated config has (planted rules use them).
BASE_OBJECTS = """\
            <entry name="net-clients">
              <ip-netmask>10.1.0.0/16</ip-netmask>
            </entry>
            <entry name="net-clients-v6">
              <ip-netmask>2001:db8:1::/64</ip-netmask>
            </entry>
            <entry name="net-apple-17">
              <ip-netmask>17.0.0.0/8</ip-netmask>
            </entry>
            <entry name="net-apns-1">
              <ip-netmask>17.249.0.0/16</ip-netmask>
            </entry>
            <entry name="net-apns-2">
              <ip-netmask>17.252.0.0/16</ip-netmask>
            </entry>
            <entry name="net-apns-3">
              <ip-netmask>17.57.144.0/22</ip-netmask>
            </entry>
            <entry name="net-apns-v6">
              <ip-netmask>2620:149:a44::/48</ip-netmask>
            </entry>
            <entry name="range-kiosks">
              <ip-range>10.1.200.1-10.1.200.50</ip-range>
            </entry>
"""
BASE_GROUPS = """\
            <entry name="grp-apns-v4">
              <static>
                <member>net-apns-1</member>
                <member>net-apns-2</member>
              </static>
            </entry>
            <entry name="grp-apns">
              <static>
                <member>grp-apns-v4</member>
                <member>net-apns-3</member>
                <member>net-apns-v6</member>
              </static>
            </entry>
"""
BASE_SERVICES = """\
            <entry name="svc-tcp-5223">
              <protocol>
                <tcp>
                  <port>5223</port>
                </tcp>
              </protocol>
            </entry>
            <entry name="svc-tcp-2197">
              <protocol>
                <tcp>
                  <port>2197</port>
                </tcp>
              </protocol>
            </entry>
"""
BASE_SERVICE_GROUPS = """\
            <entry name="sg-apns">
              <members>
                <member>svc-tcp-5223</member>
                <member>svc-tcp-2197</member>
                <member>service-https</member>
              </members>
            </entry>
"""


@dataclass
class Rule:
    name: str
    src_zones: list[str] = field(default_factory=lambda: ["any"])
    dst_zones: list[str] = field(default_factory=lambda: ["any"])
    source: list[str] = field(default_factory=lambda: ["any"])
    destination: list[str] = field(default_factory=lambda: ["any"])
    application: list[str] = field(default_factory=lambda: ["any"])
    service: list[str] = field(default_factory=lambda: ["any"])
    action: str = "allow"
    disabled: bool = False
    negate_source: bool = False
    description: str = ""

    def xml(self) -> str:
        out = [f'                <entry name="{self.name}">']
        for tag, values in (("to", self.dst_zones), ("from", self.src_zones), ("source", self.source),
                            ("destination", self.destination), ("source-user", ["any"]), ("category", ["any"]),
                            ("application", self.application), ("service", self.service),
                            ("source-hip", ["any"]), ("destination-hip", ["any"])):
            out.append(f"                  <{tag}>")
            out += [f"                    <member>{v}</member>" for v in values]
            out.append(f"                  </{tag}>")
        if self.negate_source:
            out.append("                  <negate-source>yes</negate-source>")
        out.append(f"                  <action>{self.action}</action>")
        if self.disabled:
            out.append("                  <disabled>yes</disabled>")
        if self.description:
            out.append(f"                  <description>{self.description}</description>")
        out.append("                </entry>")
        return "\n".join(out)


# Scenarios: planted rules by position among the filler rules.
SCENARIOS: dict[str, dict[str, Any]] = {
    "large_mixed": {
        "seed": 20261127,
        "filler": 34,
        "planted": {
            4: Rule("Block-Kiosks", ["trust"], ["untrust"], ["range-kiosks"], action="deny"),
            10: Rule("Allow-APNs-v4", ["trust"], ["untrust"], ["net-clients"], ["grp-apns-v4"],
                     service=["sg-apns"]),
            17: Rule("Allow-APNs-Old", ["trust"], ["untrust"], ["net-clients"], ["net-apns-1"],
                     service=["svc-tcp-5223"], description="shadowed by Allow-APNs-v4"),
            24: Rule("Deny-2197-Elsewhere", ["trust"], ["untrust"], ["any"], ["net-apple-17"],
                     service=["svc-tcp-2197"], action="reset-client"),
            30: Rule("Allow-APNs-All", ["trust"], ["untrust"], ["net-clients", "net-clients-v6"], ["grp-apns"],
                     service=["svc-tcp-5223", "service-https"]),
            35: Rule("Allow-APNs-Disabled", ["trust"], ["untrust"], ["any"], ["any"], service=["svc-tcp-2197"],
                     disabled=True),
        },
    },
}


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.objects: list[str] = []  # addresses the configuration holds
        self.fqdns: list[str] = []  # FQDN objects: undecidable, so kept away from the client zone
        self.groups: list[str] = []
        self.services: list[str] = []

    def _net(self) -> str:
        r = self.rng
        first = r.choice(["10", "172", "192"])
        if first == "10":
            return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.0/{r.choice([24, 24, 25, 26, 28])}"
        if first == "172":
            return f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}/32"
        return f"192.168.{r.randint(0, 255)}.0/24"

    def address_objects(self, count: int) -> str:
        out = []
        for i in range(count):
            name = f"obj-{i:05d}"
            kind = self.rng.random()
            if kind < 0.75:
                body = f"<ip-netmask>{self._net()}</ip-netmask>"
            elif kind < 0.85:
                base = self.rng.randint(1, 200)
                body = f"<ip-range>10.200.{base}.10-10.200.{base}.90</ip-range>"
            elif kind < 0.93:
                body = f"<ip-netmask>2001:db8:{self.rng.randint(0x100, 0xfff):x}::/64</ip-netmask>"
            else:
                body = f"<fqdn>host{i}.corp.example.net</fqdn>"
            out.append(f'            <entry name="{name}">\n              {body}\n            </entry>')
            (self.fqdns if "fqdn" in body else self.objects).append(name)
        return "\n".join(out)

    def address_groups(self, count: int) -> str:
        out = []
        for i in range(count):
            name = f"grp-{i:04d}"
            pool = self.objects + self.groups[-5:]  # a few earlier groups: nesting, never a cycle
            members = self.rng.sample(pool, k=min(len(pool), self.rng.randint(2, 6)))
            lines = "\n".join(f"                <member>{m}</member>" for m in members)
            out.append(f'            <entry name="{name}">\n              <static>\n{lines}\n'
                       f"              </static>\n            </entry>")
            self.groups.append(name)
        return "\n".join(out)

    def service_objects(self, count: int) -> str:
        out = []
        for i in range(count):
            proto = self.rng.choice(["tcp", "tcp", "udp"])
            port = self.rng.choice(FILLER_PORTS)
            ports = f"{port}" if self.rng.random() < 0.7 else f"{port}-{port + self.rng.randint(1, 20)}"
            name = f"svc-{proto}-{i:04d}"
            out.append(f'            <entry name="{name}">\n              <protocol>\n                <{proto}>\n'
                       f"                  <port>{ports}</port>\n                </{proto}>\n"
                       f"              </protocol>\n            </entry>")
            self.services.append(name)
        return "\n".join(out)

    def filler_rule(self, index: int) -> Rule:
        r = self.rng
        zones = list(ZONES)
        src = r.sample(zones, k=r.randint(1, 2)) if r.random() < 0.9 else ["any"]
        dst = r.sample(zones, k=r.randint(1, 2))
        private = self.objects + self.groups
        if "trust" not in src and "any" not in src:
            private += self.fqdns
        # Most rules name one object or group; a few list two or three.
        destination = r.sample(private, k=r.choices([1, 2, 3], weights=[70, 20, 10])[0])
        source = ["any"] if r.random() < 0.3 else r.sample(private, k=r.choices([1, 2, 3], weights=[70, 20, 10])[0])
        apps = ["any"] if r.random() < 0.4 else r.sample(APPS, k=r.randint(1, 3))
        service = ["application-default"] if apps != ["any"] and r.random() < 0.5 else (
            r.sample(self.services, k=r.randint(1, 3)) if r.random() < 0.8 else ["any"])
        action = r.choices(["allow", "deny", "drop", "reset-both"], weights=[70, 15, 10, 5])[0]
        return Rule(f"rule-{index:05d}", src, dst, source, destination, apps, service, action,
                    disabled=r.random() < 0.05, negate_source=r.random() < 0.03)


def generate(seed: int, filler: int, planted: dict[int, Rule] | None = None) -> str:
    gen = Generator(seed)
    n_objects = max(40, filler // 2)
    objects = gen.address_objects(n_objects)
    groups = gen.address_groups(max(8, filler // 10))
    services = gen.service_objects(max(12, filler // 20))
    rules: list[str] = []
    planted = planted or {}
    for position in range(filler + len(planted)):
        rule = planted.get(position) or gen.filler_rule(position)
        rules.append(rule.xml())
    return TEMPLATE.format(
        interfaces=_interfaces(), zones=_zones(), objects=BASE_OBJECTS + objects, groups=BASE_GROUPS + groups,
        services=BASE_SERVICES + services, service_groups=BASE_SERVICE_GROUPS, rules="\n".join(rules),
    )


def _interfaces() -> str:
    out = []
    for zone, iface in ZONES.items():
        addrs = [f'                  <entry name="{ADDRESSES[zone]}"/>']
        v6 = ""
        if zone in IPV6:
            v6 = (f'                <ipv6>\n                  <enabled>yes</enabled>\n                  <address>\n'
                  f'                    <entry name="{IPV6[zone]}"/>\n                  </address>\n'
                  f"                </ipv6>\n")
        out.append(f'            <entry name="{iface}">\n              <layer3>\n                <ip>\n'
                   + "\n".join(addrs) + f"\n                </ip>\n{v6}              </layer3>\n            </entry>")
    return "\n".join(out)


def _zones() -> str:
    return "\n".join(f'            <entry name="{z}">\n              <network>\n                <layer3>\n'
                     f"                  <member>{i}</member>\n                </layer3>\n              </network>\n"
                     f"            </entry>" for z, i in ZONES.items())


TEMPLATE = """\
<config version="10.2.0" urldb="paloaltonetworks" detail-version="10.2.9">
  <shared>
    <application/>
    <application-group/>
    <service/>
  </shared>
  <devices>
    <entry name="localhost.localdomain">
      <network>
        <interface>
          <ethernet>
{interfaces}
          </ethernet>
        </interface>
        <virtual-router>
          <entry name="default">
            <interface>
              <member>ethernet1/1</member>
              <member>ethernet1/2</member>
              <member>ethernet1/3</member>
              <member>ethernet1/4</member>
              <member>ethernet1/5</member>
              <member>ethernet1/6</member>
              <member>ethernet1/7</member>
            </interface>
            <routing-table>
              <ip>
                <static-route>
                  <entry name="default-route">
                    <nexthop>
                      <ip-address>203.0.113.1</ip-address>
                    </nexthop>
                    <interface>ethernet1/1</interface>
                    <metric>10</metric>
                    <destination>0.0.0.0/0</destination>
                  </entry>
                </static-route>
              </ip>
              <ipv6>
                <static-route>
                  <entry name="default-route-v6">
                    <nexthop>
                      <ipv6-address>2001:db8:ffff::1</ipv6-address>
                    </nexthop>
                    <interface>ethernet1/1</interface>
                    <metric>10</metric>
                    <destination>::/0</destination>
                  </entry>
                </static-route>
              </ipv6>
            </routing-table>
          </entry>
        </virtual-router>
      </network>
      <deviceconfig>
        <system>
          <hostname>PA-GEN</hostname>
        </system>
      </deviceconfig>
      <vsys>
        <entry name="vsys1">
          <zone>
{zones}
          </zone>
          <address>
{objects}
          </address>
          <address-group>
{groups}
          </address-group>
          <service>
{services}
          </service>
          <service-group>
{service_groups}
          </service-group>
          <rulebase>
            <security>
              <rules>
{rules}
              </rules>
            </security>
          </rulebase>
        </entry>
      </vsys>
    </entry>
  </devices>
</config>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", choices=sorted(SCENARIOS))
    parser.add_argument("--rules", type=int, default=1000, help="filler rules when no scenario is given")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.scenario:
        spec = SCENARIOS[args.scenario]
        sys.stdout.write(generate(spec["seed"], spec["filler"], spec["planted"]))
    else:
        sys.stdout.write(generate(args.seed, args.rules))


if __name__ == "__main__":
    main()
