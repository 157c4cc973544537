"""Host-name pattern coverage, including wildcard Apple names."""

from __future__ import annotations

import pytest

from pushaudit.inspection.names import Cover, any_cover, name_cover


@pytest.mark.parametrize(("pattern", "name", "cover"), [
    ("*.apple.com", "albert.apple.com", Cover.ALL),
    ("*.apple.com", "apple.com", Cover.NONE),
    ("*.apple.com", "*.push.apple.com", Cover.ALL),
    ("*.push.apple.com", "*.apple.com", Cover.SOME),
    ("courier.push.apple.com", "courier.push.apple.com", Cover.ALL),
    ("courier.push.apple.com", "*.push.apple.com", Cover.SOME),
    ("www.example.net", "albert.apple.com", Cover.NONE),
    ("*apple*", "albert.apple.com", Cover.SOME),
    ("ALBERT.Apple.com.", "albert.apple.com", Cover.ALL),
])
def test_name_cover(pattern: str, name: str, cover: Cover) -> None:
    assert name_cover(pattern, name) is cover


def test_any_cover() -> None:
    assert any_cover([Cover.NONE, Cover.ALL]) is Cover.ALL
    assert any_cover([Cover.NONE, Cover.SOME]) is Cover.SOME
    assert any_cover([]) is Cover.NONE
