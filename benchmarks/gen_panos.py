"""Render a Shape as the XML PAN-OS ``show config running`` prints (one vsys).

Zones per interface, a virtual router with connected interfaces and a default route, address
objects with static address groups (nested), service objects with service groups (nested, one
per protocol since a PAN-OS service has one), and the security rulebase in order.
"""

from __future__ import annotations

import ipaddress
from xml.sax.saxutils import quoteattr

from benchmarks.services import ProtocolServices
from benchmarks.shape import FwRule, Shape


def _members(tag: str, names: list[str], indent: str) -> str:
    inner = "".join(f"{indent}  <member>{n}</member>\n" for n in names)
    return f"{indent}<{tag}>\n{inner}{indent}</{tag}>\n"


class PanosRenderer:
    def __init__(self, shape: Shape, hostname: str) -> None:
        self.shape = shape
        self.hostname = hostname
        self.addresses: dict[str, str] = {}  # object name -> ip-netmask
        self.services = ProtocolServices(shape)

    def render(self) -> str:
        rules = "".join(self._rule(r) for r in self.shape.rules)  # first: rules create the objects
        address_groups = "".join(self._address_group(name) for name in self.shape.address_groups)
        v = "          "
        return (
            '<config version="10.2.0" urldb="paloaltonetworks" detail-version="10.2.9">\n'
            '  <devices>\n    <entry name="localhost.localdomain">\n'
            f"      <network>\n{self._interfaces()}{self._router()}      </network>\n"
            f"      <deviceconfig>\n        <system>\n          <hostname>{self.hostname}</hostname>\n"
            "        </system>\n      </deviceconfig>\n"
            '      <vsys>\n        <entry name="vsys1">\n'
            f"{v}<zone>\n{self._zones()}{v}</zone>\n"
            f"{v}<address>\n{self._addresses()}{v}</address>\n"
            f"{v}<address-group>\n{address_groups}{v}</address-group>\n"
            f"{v}<service>\n{self._services()}{v}</service>\n"
            f"{v}<service-group>\n{self._service_groups()}{v}</service-group>\n"
            f"{v}<rulebase>\n{v}  <security>\n{v}    <rules>\n{rules}{v}    </rules>\n{v}  </security>\n"
            f"{v}</rulebase>\n"
            "        </entry>\n      </vsys>\n    </entry>\n  </devices>\n</config>\n"
        )

    def _port_of(self, zone_name: str) -> str:
        return f"ethernet1/{[z.name for z in self.shape.zones].index(zone_name) + 1}"

    def _interfaces(self) -> str:
        out = ["        <interface>\n          <ethernet>\n"]
        for zone in self.shape.zones:
            out.append(f'            <entry name="{self._port_of(zone.name)}">\n              <layer3>\n'
                       f'                <ip>\n                  <entry name="{zone.address}"/>\n'
                       "                </ip>\n              </layer3>\n            </entry>\n")
        out.append("          </ethernet>\n        </interface>\n")
        return "".join(out)

    def _router(self) -> str:
        ports = "".join(f"              <member>{self._port_of(z.name)}</member>\n" for z in self.shape.zones)
        return ('        <virtual-router>\n          <entry name="default">\n'
                f"            <interface>\n{ports}            </interface>\n"
                "            <routing-table>\n              <ip>\n                <static-route>\n"
                '                  <entry name="default-route">\n'
                f"                    <nexthop>\n                      <ip-address>{self.shape.gateway}</ip-address>\n"
                "                    </nexthop>\n"
                f"                    <interface>{self._port_of('outside')}</interface>\n"
                "                    <destination>0.0.0.0/0</destination>\n                  </entry>\n"
                "                </static-route>\n              </ip>\n            </routing-table>\n"
                "          </entry>\n        </virtual-router>\n")

    def _zones(self) -> str:
        return "".join(
            f'            <entry name="{z.name}">\n              <network>\n'
            f"{_members('layer3', [self._port_of(z.name)], '                ')}"
            "              </network>\n            </entry>\n" for z in self.shape.zones)

    def _address_name(self, cidr: str) -> str:
        net = ipaddress.ip_network(cidr)
        name = f"H-{net.network_address}" if net.prefixlen == 32 else f"N-{net.network_address}_{net.prefixlen}"
        self.addresses[name] = str(net)
        return name

    def _addresses(self) -> str:
        return "".join(f'            <entry name="{n}">\n              <ip-netmask>{v}</ip-netmask>\n'
                       "            </entry>\n" for n, v in self.addresses.items())

    def _address_group(self, name: str) -> str:
        group = self.shape.address_groups[name]
        members = [self._address_name(m) for m in group.members] + group.children
        return (f'            <entry name="{name}">\n'
                f"{_members('static', members, '              ')}            </entry>\n")

    def _services(self) -> str:
        return "".join(f'            <entry name="{n}">\n              <protocol>\n                <{p}>\n'
                       f"                  <port>{port}</port>\n                </{p}>\n              </protocol>\n"
                       "            </entry>\n" for n, (p, port) in self.services.services.items())

    def _service_groups(self) -> str:
        pad = "              "
        return "".join(f'            <entry name="{n}">\n{_members("members", self.services.member_names(n), pad)}'
                       "            </entry>\n" for n in self.services.groups)

    def _endpoint(self, items: list[str]) -> list[str]:
        if items == ["any"]:
            return ["any"]
        return [i[1:] if i.startswith("@") else self._address_name(i) for i in items]

    def _rule(self, rule: FwRule) -> str:
        no_ports = rule.proto == "ip" or not rule.ports
        services = ["any"] if no_ports else self.services.for_ports(rule.proto, rule.ports)
        ind = "                  "
        return (f"                <entry name={quoteattr(rule.name)}>\n"
                f"{_members('from', [rule.src_zone], ind)}{_members('to', [rule.dst_zone], ind)}"
                f"{_members('source', self._endpoint(rule.sources), ind)}"
                f"{_members('destination', self._endpoint(rule.destinations), ind)}"
                f"{_members('application', ['any'], ind)}{_members('service', services, ind)}"
                f"{ind}<action>{'allow' if rule.action == 'permit' else 'deny'}</action>\n"
                f"{ind}<description>{rule.comment}</description>\n"
                "                </entry>\n")


def render_panos(shape: Shape, hostname: str = "fw-panos") -> dict[str, str]:
    """Command id -> output, as the collector stores them."""
    system = f"hostname: {hostname}\nmodel: PA-3220\nsw-version: 10.2.9\nmulti-vsys: off\n"
    return {"show_system_info": system, "config_running": PanosRenderer(shape, hostname).render()}
