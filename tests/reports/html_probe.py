"""A small HTML reader for the report tests: tags with attributes, nesting check, text of elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    content: list[Element | str] = field(default_factory=list)  # text and children in document order

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        parts = [item if isinstance(item, str) else item.text() for item in self.content]
        return " ".join(" ".join(parts).split())

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        found: list[Element] = []
        for child in self.children:
            if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                found.append(child)
            found.extend(child.find_all(tag, cls))
        return found

    def by_id(self, ident: str) -> Element | None:
        for element in [self, *self.find_all()]:
            if element.attrs.get("id") == ident:
                return element
        return None


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        self.stack[-1].content.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) > 1 and self.stack[-1].tag == tag:
            self.stack.pop()
        else:
            self.problems.append(f"unexpected </{tag}> inside <{self.stack[-1].tag}>")

    def handle_data(self, data: str) -> None:
        self.stack[-1].content.append(data)


def parse(html: str) -> tuple[Element, list[str]]:
    """The document tree and any nesting problems (unclosed or stray tags)."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    problems = builder.problems + [f"<{e.tag}> never closed" for e in builder.stack[1:]]
    return builder.root, problems
