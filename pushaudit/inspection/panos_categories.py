"""PAN-OS URL categories in decryption and authentication rules, decided per Apple name.

A custom URL category of type "URL List" is known entry by entry, so whether it holds an
Apple name can be decided. Predefined PAN-DB categories and "Category Match" categories depend
on the cloud database: a rule naming them stays conditional (an undecidable match)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from pushaudit.firewalls.paloalto_panos_model import ANY
from pushaudit.firewalls.paloalto_panos_xml import entries, members, text
from pushaudit.inspection.names import Cover, any_cover, name_cover


@dataclass(frozen=True)
class CategoryVerdict:
    cover: Cover
    reason: str = ""  # for SOME: what cannot be decided


class UrlCategories:
    def __init__(self, scopes: list[ET.Element]) -> None:
        # the first scope (the vsys) wins over shared, as for every other object
        self.lists: dict[str, list[str] | None] = {}
        for scope in reversed(scopes):
            for entry in entries(scope, "profiles/custom-url-category"):
                kind = (text(entry, "type") or "URL List").strip()
                urls = members(entry, "list") or []
                self.lists[entry.get("name", "")] = urls if kind == "URL List" else None

    def verdict(self, categories: tuple[str, ...], name: str) -> CategoryVerdict:
        """Does a rule with these categories match connections to ``name``?"""
        if not categories or ANY in categories:
            return CategoryVerdict(Cover.ALL)
        covers: list[Cover] = []
        undecided: list[str] = []
        for category in categories:
            urls = self.lists.get(category)
            if urls is None:
                undecided.append(category)
                covers.append(Cover.SOME)
                continue
            cover = any_cover([name_cover(_host_part(u), name) for u in urls])
            if cover is Cover.SOME:
                undecided.append(category)
            covers.append(cover)
        result = any_cover(covers)
        reason = ""
        if result is Cover.SOME:
            reason = (f"URL category {', '.join(undecided)}: whether PAN-DB (or the list) puts {name} in it "
                      "cannot be told from the configuration")
        return CategoryVerdict(result, reason)


def _host_part(url: str) -> str:
    """``*.apple.com/`` or ``apple.com/path^`` -> the host pattern; a path narrows nothing for TLS."""
    host = url.strip().split("/", 1)[0].rstrip("^")
    return host.split(":", 1)[0]
