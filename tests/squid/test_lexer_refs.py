"""squid.conf lexing (comments, continuations, quotes) and the pre-parse file references."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pushaudit.squid.lexer import TokenError, logical_lines, quoted_path, tokens
from pushaudit.squid.refs import SquidRef, referenced_paths


def test_continuation_joins_without_inserting_a_space() -> None:
    text = "acl a dstdomain one.example \\\n    two.example\nacl b port 1\\\n2\n"
    lines = list(logical_lines(text))
    assert [(ln.text, ln.first, ln.last) for ln in lines] == [
        ("acl a dstdomain one.example two.example", 1, 2),
        ("acl b port 12", 3, 4),  # Squid glues the pieces: no space is added
    ]


def test_comment_and_blank_lines_do_not_end_a_continuation() -> None:
    text = "http_access allow \\\n# a comment\n\n   clients\r\nhttp_access deny all"
    assert [ln.text for ln in logical_lines(text)] == ["http_access allow clients", "http_access deny all"]


def test_indented_comment_is_a_comment_and_dangling_continuation_is_kept() -> None:
    text = "   # indented comment\nacl x port 443 \\"
    assert [(ln.text, ln.first) for ln in logical_lines(text)] == [("acl x port 443", 2)]


@given(st.lists(st.from_regex(r"[a-z0-9.]{1,8}", fullmatch=True), min_size=1, max_size=8), st.data())
def test_any_split_into_continuation_lines_gives_the_same_line(words: list[str], data: st.DataObject) -> None:
    physical = []
    for word in words:
        indent = data.draw(st.sampled_from(["", " ", "\t", "   "]))
        physical.append(f"{indent}{word} \\")
    physical[-1] = physical[-1][:-2]
    lines = list(logical_lines("\n".join(["acl x dstdomain \\", *physical])))
    assert len(lines) == 1
    assert lines[0].text == "acl x dstdomain " + " ".join(words)
    assert (lines[0].first, lines[0].last) == (1, len(words) + 1)


def test_tokens_keep_quotes_and_stop_at_a_comment_token() -> None:
    assert tokens('acl a dstdomain "/etc/squid/a b.txt" .x.com # note') == [
        "acl", "a", "dstdomain", '"/etc/squid/a b.txt"', ".x.com",
    ]
    assert tokens("acl q port 443#x") == ["acl", "q", "port", "443#x"]  # Squid too keeps this (and rejects it)
    assert tokens('acl f dstdomain parameters("/etc/f.txt")') == ["acl", "f", "dstdomain", 'parameters("/etc/f.txt")']
    with pytest.raises(TokenError):
        tokens('acl a dstdomain "/etc/squid/open')


def test_quoted_path() -> None:
    assert quoted_path('"/etc/squid/x"') == "/etc/squid/x"
    assert quoted_path('parameters("rel.txt")') == "rel.txt"
    assert quoted_path("plain") is None


def test_referenced_paths_finds_includes_globs_and_quoted_files() -> None:
    text = "\n".join([
        "include /etc/squid/conf.d/*.conf extra/local.conf",
        'acl apple dstdomain "/etc/squid/apple.txt"',
        'acl rel ssl::server_name "lists/sni.txt"',
        'logformat audit "%ts %>a %rm %ru"',
        'http_access allow "/etc/squid/names.acl"',
        'acl again dstdomain "/etc/squid/apple.txt"',
        "# include /etc/squid/commented.conf",
        "http_port 3128",
    ])
    assert referenced_paths(text) == [
        SquidRef("include", "/etc/squid/conf.d/*.conf", True, 1),
        SquidRef("include", "/etc/squid/extra/local.conf", False, 1),
        SquidRef("file", "/etc/squid/apple.txt", False, 2),
        SquidRef("file", "/etc/squid/lists/sni.txt", False, 3),
        SquidRef("file", "/etc/squid/names.acl", False, 5),
    ]


def test_referenced_paths_uses_the_given_config_dir_and_skips_bad_lines() -> None:
    text = 'include site.conf\nacl broken dstdomain "/etc/unterminated\nacl ok dstdomain "../shared/x.txt"'
    refs = referenced_paths(text, "/opt/squid/etc")
    assert [r.pattern for r in refs] == ["/opt/squid/etc/site.conf", "/opt/squid/shared/x.txt"]
