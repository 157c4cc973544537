"""FortiOS fixes: address/address6 objects in their own tables, ssl-exempt entries naming them."""

from __future__ import annotations

from pushaudit.inspection.remediation import fortinet_auth_exemption, fortinet_decrypt_exemption


def test_decrypt_exemption_splits_families() -> None:
    text = fortinet_decrypt_exemption("deep-corp", ["17.0.0.0/8", "2620:149::/32"], ["*.apple.com"])
    v4, v6 = text.index("config firewall address\n"), text.index("config firewall address6")
    assert v4 < text.index("set subnet 17.0.0.0/8") < v6 < text.index("set ip6 2620:149::/32")
    assert 'edit "deep-corp"' in text and "set type address6" in text and 'set address6 "apple-range6-2"' in text
    assert 'set wildcard-fqdn "*.apple.com"' in text and 'set wildcard-fqdn "g-apple-1"' in text
    assert text.count("config ") == text.count("end")


def test_auth_exemption_before_named_policy() -> None:
    text = fortinet_auth_exemption("authenticated-web", ["17.0.0.0/8", "2620:149::/32"])
    assert 'set dstaddr "apple-range-1"' in text and "2620" not in text
    assert text.endswith('move <new id> before <id of "authenticated-web">')
    assert "move" not in fortinet_auth_exemption("", ["17.0.0.0/8"])
