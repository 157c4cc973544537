"""The XML that PAN-OS ``show config running`` prints, parsed with output line numbers.

Rulebases hold most of a large configuration, so every ``<rules>`` list is cut out of the text
before the rest (objects, zones, network) is parsed, and read later entry by entry by
:meth:`ConfigDoc.rule_entries` (paloalto_panos_rawrule): a 20,000-rule configuration never
exists as one element tree.

ElementTree's C parser keeps no positions, so lines come from a regex pass over the same text
(comments and CDATA skipped) that finds every ``<entry`` start tag in document order.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from pushaudit.errors import DataError
from pushaudit.firewalls.paloalto_panos_rawrule import RawEntry, RuleListError, from_element, read_rule_list

CODE = "E-PARSE-FIREWALL"
CUT = "pushaudit-cut"  # attribute of a <rules> placeholder: the index of the cut-out list
_ENTRY_TOKENS = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<entry\b[^>]*?/>|<entry(?=[\s/>])|</entry\s*>",
                           re.DOTALL)
_RULES_TOKENS = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<rules\s*>|</rules\s*>", re.DOTALL)


@dataclass
class ConfigDoc:
    """The parsed ``<config>`` (rule lists cut out) and where its entries start."""

    root: ET.Element
    source: str
    body: str  # the command output; offsets below index it
    blocks: list[tuple[int, int]] = field(default_factory=list)  # offsets of each cut-out list's content
    lines: dict[int, int] = field(default_factory=dict)  # id(entry element of ``root``) -> line
    warnings: list[str] = field(default_factory=list)
    # (offset, its line): lines are mostly asked for in document order, so counting resumes there
    _mark: tuple[int, int] = field(default=(0, 1), init=False, repr=False)

    def line_at(self, offset: int) -> int:
        at, line = self._mark if offset >= self._mark[0] else (0, 1)
        line += self.body.count("\n", at, offset)
        self._mark = (offset, line)
        return line

    def line(self, element: ET.Element) -> int | None:
        return self.lines.get(id(element))

    def where(self, element: ET.Element, line: int | None = None) -> str:
        line = line if line is not None else self.line(element)
        return f"{self.source} line {line}" if line is not None else self.source

    def rule_entries(self, rules: ET.Element | None) -> Iterator[RawEntry]:
        """The ``<entry>`` items of a ``<rules>`` element, in order, as flat field mappings."""
        if rules is None:
            return
        if rules.get(CUT) is None:
            yield from (from_element(e, self.line(e)) for e in rules.findall("entry"))
            return
        start, end = self.blocks[int(rules.get(CUT, "0"))]
        try:
            yield from read_rule_list(self.body, start, end, self.line_at)
        except RuleListError as exc:
            raise DataError(CODE, f"{self.source}: {exc}", self.source, self.line_at(exc.offset)) from exc


def parse_config(output: str, source: str) -> ConfigDoc:
    """Parse the output; DataError when it is not a PAN-OS XML configuration."""
    first = re.search(r"^[ \t]*<", output, re.MULTILINE)
    if first is None:
        if re.search(r"^[ \t]*set[ \t]", output, re.MULTILINE):
            raise DataError(CODE, f"{source}: set-format output; pushaudit reads the XML that "
                            "'show config running' prints", source)
        raise DataError(CODE, f"{source}: empty or not XML (expected the XML of 'show config running')", source)
    start = first.end() - 1
    end = output.rfind(">") + 1
    doc = ConfigDoc(ET.Element("config"), source, output)
    skeleton, shifts = _cut_rule_lists(doc, start, end)
    try:
        tree = ET.fromstring(skeleton)  # noqa: S314 - see the import
    except ET.ParseError as exc:
        # the parser counts lines of the skeleton; shifts map its offsets back to the output
        where = _skeleton_offset(skeleton, exc.position[0], exc.position[1])
        raise DataError(CODE, f"{source}: XML does not parse ({exc})", source,
                        doc.line_at(_unshift(shifts, where))) from exc
    root = _config_element(tree)
    if root is None:
        root_tag = re.compile(r"<(?![?!])").search(output, start)
        raise DataError(CODE, f"{source}: XML root <{tree.tag}> is not a PAN-OS <config>", source,
                        doc.line_at(root_tag.start() if root_tag else start))
    doc.root = root
    if output[end:].strip() or output[:start].strip():
        doc.warnings.append(f"{source}: text outside the XML document was ignored")
    _index_entries(doc, tree, skeleton, shifts)
    return doc


def _cut_rule_lists(doc: ConfigDoc, start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    """The document with every outermost ``<rules>`` list replaced by a placeholder, and the
    (skeleton offset, shift) pairs that map skeleton offsets back to output offsets."""
    pieces: list[str] = []
    shifts: list[tuple[int, int]] = [(0, start)]
    depth, tag_at, open_at, last, length = 0, 0, 0, start, 0
    for m in _RULES_TOKENS.finditer(doc.body, start, end):
        token = m.group()
        if token.startswith("<rules"):
            depth += 1
            if depth == 1:
                tag_at, open_at = m.start(), m.end()
        elif token.startswith("</rules") and depth:
            depth -= 1
            if depth == 0:
                placeholder = f'<rules {CUT}="{len(doc.blocks)}"/>'
                doc.blocks.append((open_at, m.start()))
                pieces += [doc.body[last:tag_at], placeholder]
                length += tag_at - last + len(placeholder)
                last = m.end()
                shifts.append((length, last - length))
    pieces.append(doc.body[last:end])
    return "".join(pieces), shifts


def _unshift(shifts: list[tuple[int, int]], offset: int) -> int:
    return offset + shifts[bisect_right([k for k, _ in shifts], offset) - 1][1]


def _skeleton_offset(skeleton: str, line: int, column: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = skeleton.index("\n", offset) + 1
    return offset + column


def _index_entries(doc: ConfigDoc, tree: ET.Element, skeleton: str, shifts: list[tuple[int, int]]) -> None:
    offsets = [m.start() for m in _ENTRY_TOKENS.finditer(skeleton) if skeleton.startswith("<entry", m.start())]
    found = list(tree.iter("entry"))
    if len(found) != len(offsets):
        doc.warnings.append(f"{doc.source}: could not place <entry> elements on lines; lines are missing")
        return
    for element, offset in zip(found, offsets, strict=True):
        doc.lines[id(element)] = doc.line_at(_unshift(shifts, offset))


def _config_element(tree: ET.Element) -> ET.Element | None:
    if tree.tag == "config":
        return tree
    if tree.tag == "response":  # the XML API wraps the same document
        return tree.find("./result/config")
    return None


# -- small readers -------------------------------------------------------------------------
def members(element: ET.Element | None, tag: str) -> list[str] | None:
    """The ``<member>`` texts under ``tag``; None when ``tag`` is absent."""
    if element is None:
        return None
    holder = element.find(tag)
    if holder is None:
        return None
    return [(m.text or "").strip() for m in holder.findall("member")]


def text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    return (found.text or "").strip()


def entries(element: ET.Element | None, path: str) -> list[ET.Element]:
    """Named ``<entry>`` children of ``path`` (an empty list when ``path`` is absent)."""
    if element is None:
        return []
    holder = element.find(path)
    return [] if holder is None else [e for e in holder.findall("entry") if e.get("name")]


def flag(element: ET.Element | None, path: str) -> bool:
    return text(element, path) == "yes"
