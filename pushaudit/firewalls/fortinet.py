"""FortiGate (FortiOS 7.x, no VDOMs) in the vendor-neutral rule model.

One table ``inet <vdom>`` (source ``cmd:firewall_policy``) with one base chain
``firewall-policy`` (hook forward, priority 0, policy drop = the implicit deny). Its rules are the
enabled policies of ``show firewall policy`` in the order they are listed (not by id), then one
``iifname Z oifname Z accept`` per zone with ``set intrazone allow``. Interface matches use the
names policies use: a zone for its member interfaces, else the interface.

Each RuleRef has ``index`` = position in the ``show firewall policy`` output (disabled policies
counted, as the GUI's sequence numbers do), ``handle`` = the policy id, ``line`` = the line of its
``edit``, ``comment`` = its name, and a one-line summary as ``text``. A policy whose address or
service is a union becomes several consecutive rules sharing that RuleRef.

Undecidable parts (FQDN, wildcard-FQDN and geography objects, Internet Service Database entries
such as Apple-APNs, schedules other than "always", users and groups, settings pushaudit does not
know) become conditional matches (see ``conditional``), so a verdict that depends on them is
UNKNOWN, never PASS. Security profiles (AV, IPS, application control) are not evaluated.

Topology: connected networks of ``system interface`` (up, not dedicated to management), the
default route a DHCP/PPPoE interface learns, and ``router static``/``router static6`` when
collected. Without a default route for a client network's family the egress is unknown rather
than "no route" (it may come from BGP or OSPF, which the snapshot does not show). Inventory
overrides, in the host's data::

    data:
      ingress: inside   # zone or interface where the client networks enter
      egress: port1     # zone or interface where Apple's ranges leave

When the static routes of a client network's family were not collected and no ``egress`` is given,
the egress is unknown and interface matches stay undecidable.
"""

from __future__ import annotations

import ipaddress

from pushaudit.firewalls import FirewallPlatform
from pushaudit.firewalls.fortinet_load import FORTIGATE_CONFIG, SYNTAX, FortigateConfig, SnapshotReader, load_config
from pushaudit.firewalls.fortinet_match import conditional
from pushaudit.firewalls.fortinet_snippet import allow_snippet
from pushaudit.firewalls.fortinet_topology import FortinetTopology, build_fortinet_topology
from pushaudit.netfilter.model import Ruleset
from pushaudit.snapshot import HostFacts, HostSnapshot


def build_ruleset(snapshot: HostSnapshot) -> Ruleset:
    return load_config(snapshot).ruleset


def build_topology(snapshot: HostSnapshot, facts: HostFacts) -> FortinetTopology:
    reader = SnapshotReader(snapshot)
    interfaces = reader.interfaces()
    statics = {4: reader.section("router_static", required=False), 6: reader.section("router_static6", required=False)}
    families: set[int] = {ipaddress.ip_network(n, strict=False).version for n in facts.client_networks}
    topology = build_fortinet_topology(interfaces, statics, families, facts.data)
    topology.warnings += interfaces.warnings + interfaces.unread + reader.warnings
    topology.unread += interfaces.unread
    return topology


PLATFORM = FirewallPlatform(
    platform="fortinet",
    syntax=SYNTAX,
    build_ruleset=build_ruleset,
    build_topology=build_topology,
    allow_snippet=allow_snippet,
)

__all__ = ["FORTIGATE_CONFIG", "PLATFORM", "FortigateConfig", "build_ruleset", "build_topology", "conditional",
           "load_config"]
