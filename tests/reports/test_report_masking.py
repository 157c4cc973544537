"""mask_secrets: each kind of secret, what must stay readable, and the line-shape guarantee."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pushaudit.masking import MASK, is_secret_key, mask_secrets

FIXTURES = Path(__file__).parent / "fixtures" / "masking"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "input.txt").is_file())


def _case(name: str) -> tuple[str, str]:
    folder = FIXTURES / name
    return (folder / "input.txt").read_text(encoding="utf-8"), (folder / "expected.txt").read_text(encoding="utf-8")


def test_fixture_cases_exist() -> None:
    assert len(CASES) >= 7


@pytest.mark.parametrize("case", CASES)
def test_fixture_masked_as_expected(case: str) -> None:
    text, expected = _case(case)
    assert mask_secrets(text) == expected


@pytest.mark.parametrize("case", CASES)
def test_fixture_keeps_line_numbers_and_is_idempotent(case: str) -> None:
    text, _ = _case(case)
    masked = mask_secrets(text)
    assert masked.count("\n") == text.count("\n")
    assert mask_secrets(masked) == masked


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("cache_peer p parent 3128 0 login=u:hunter2", "hunter2"),
        ("password=hunter2", "hunter2"),
        ("auth_param basic program /x -w hunter2", "hunter2"),
        ("external_acl_type g %LOGIN /x --password hunter2", "hunter2"),
        ("u1:$apr1$abc$hunter2hash", "hunter2hash"),
        ("> Proxy-Authorization: Basic aHVudGVyMg==", "aHVudGVyMg=="),
        ("-----BEGIN EC PRIVATE KEY-----\nhunter2body\n-----END EC PRIVATE KEY-----", "hunter2body"),
        ("passwd: hunter2", "hunter2"),
        ("secret=hunter2", "hunter2"),
        ("key=hunter2", "hunter2"),
    ],
)
def test_each_pattern_hides_the_secret(text: str, secret: str) -> None:
    masked = mask_secrets(text)
    assert secret not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "text",
    [
        "cache_peer p parent 3128 0 login=PASSTHRU",
        "https_port 3129 intercept ssl-bump cert=/etc/squid/c.pem key=/etc/squid/k.pem",
        '{"meta": {"key": "l4proto"}}',
        "ssl_bump splice step1 apple_dst",
        "auth_param basic program /usr/lib/squid/basic_ncsa_auth /etc/squid/passwd",
        "",
    ],
)
def test_non_secrets_are_untouched(text: str) -> None:
    assert mask_secrets(text) == text


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("sudo_password", True),
        ("sslpassword", True),
        ("client-secret", True),
        ("auth_token", True),
        ("api_key", True),
        ("tls-key", True),
        ("key", True),
        ("psk", True),
        ("username", False),
        ("token_ttl", False),
        ("key_extras", False),
        ("bypass", False),
        ("hostname", False),
        ("squid_conf", False),
        ("", False),
    ],
)
def test_is_secret_key(name: str, secret: bool) -> None:
    assert is_secret_key(name) is secret


_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
_PIECES = st.sampled_from(
    [
        "login=a:b",
        "password=x",
        "-----BEGIN PRIVATE KEY-----",
        "-----END PRIVATE KEY-----",
        "> Authorization: Basic zz",
        "auth_param basic program /x -w y",
        "u:$apr1$a$b",
        "http://u:p@h",
        "key=v",
        '"token": 1',
        "cachemgr_passwd ",
        "acl a snmp_community ",
        "-u a:b",
        "--proxy-user ",
        "Cookie: ",
        "secret: ",
        "password ",
        "-w ",
        "login=",
        "=",
        ":",
        '"',
        "'",
        "$apr1$",
        "@",
    ]
)


_BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\u2028", " ", "\t"])


@given(st.lists(st.one_of(_TEXT, _PIECES, _BREAKS), max_size=16))
def test_line_count_never_changes(pieces: list[str]) -> None:
    text = "".join(pieces)
    masked = mask_secrets(text)
    assert masked.count("\n") == text.count("\n")
    assert len(masked.splitlines()) == len(text.splitlines())
    assert mask_secrets(masked) == masked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "auth_param basic program /x -w a -W /etc/pw -w b",
            f"auth_param basic program /x -w {MASK} -W /etc/pw -w {MASK}",
        ),
        ('PASS=0"TOKEN":0', 'PASS=********"TOKEN":"********"'),
        ('SECRET:"PASS=0', 'SECRET:"PASS=********'),
        ("-----BEGIN PRIVATE KEY-----\r\nabc def\r\n-----END PRIVATE KEY-----\r\n",
         "-----BEGIN PRIVATE KEY-----\r\n******** ********\r\n-----END PRIVATE KEY-----\r\n"),
        ("> Authorization: Basic abc\r\nnext", "> Authorization: Basic ********\r\nnext"),
    ],
)
def test_edge_cases_found_by_fuzzing(text: str, expected: str) -> None:
    assert mask_secrets(text) == expected
    assert mask_secrets(expected) == expected
