"""Read squid.conf and everything it includes into one ordered list of directives.

Includes are expanded in place (glob results sorted, as Squid's glob() returns them),
``if``/``else``/``endif`` blocks are followed when their condition is a constant, and a block
whose condition depends on a macro is kept only if it holds no directive we model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from pushaudit.errors import DataError
from pushaudit.squid.lexer import LogicalLine, TokenError, logical_lines, tokens
from pushaudit.squid.model import Directive
from pushaudit.squid.refs import is_glob, resolve

MAX_INCLUDE_DEPTH = 16  # Squid refuses deeper nesting
_MACRO = re.compile(r"\$\{[A-Za-z_]+\}")
_COMPARE = re.compile(r"^(-?\d+)\s*=\s*(-?\d+)$")


class ConfigSource(Protocol):
    def read(self, path: str) -> str:
        """Text of a file; DataError when it is missing."""

    def expand(self, pattern: str) -> list[str]:
        """Paths a glob matched on the host, sorted; DataError when unknown."""


@dataclass
class Loaded:
    directives: list[Directive] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_error(message: str, file: str, line: int | None) -> DataError:
    """E-PARSE-SQUID naming the host file and line; the source is the file's place in the snapshot."""
    where = f"{file}:{line}" if line else file
    return DataError("E-PARSE-SQUID", f"{where}: {message}", source="files/" + file.lstrip("/"), line=line)


class _Reader:
    def __init__(self, source: ConfigSource, config_dir: str, modelled: frozenset[str]) -> None:
        self.source = source
        self.config_dir = config_dir
        self.modelled = modelled
        self.out = Loaded()

    def load_file(self, path: str, depth: int) -> None:
        if depth > MAX_INCLUDE_DEPTH:
            raise parse_error(f"includes nested deeper than {MAX_INCLUDE_DEPTH} (a loop?)", path, None)
        text = self.source.read(path)
        self.out.files.append(path)
        stack: list[bool | None] = []  # one entry per open if: True, False, or undecidable
        for logical in logical_lines(text):
            self._line(path, logical, depth, stack)
        if stack:
            raise parse_error("'if' without a matching 'endif'", path, None)

    def _line(self, path: str, logical: LogicalLine, depth: int, stack: list[bool | None]) -> None:
        text = logical.text
        word = text.split(None, 1)[0]
        if word == "if":
            stack.append(self._condition(text[2:].strip(), path, logical.first))
            return
        if word in ("else", "endif"):
            if not stack:
                raise parse_error(f"'{word}' without 'if'", path, logical.first)
            if word == "endif":
                stack.pop()
            elif stack[-1] is not None:
                stack[-1] = not stack[-1]
            return
        if False not in stack:  # else: a branch Squid skips
            self._active(path, logical, word, depth, None in stack)

    def _active(self, path: str, logical: LogicalLine, word: str, depth: int, undecided: bool) -> None:
        text = logical.text
        try:
            words = tokens(text)
        except TokenError as exc:
            if word in self.modelled or word == "include":
                raise parse_error(str(exc), path, logical.first) from exc
            self.out.warnings.append(f"{path}:{logical.first}: {exc}")
            return
        if undecided:
            if word in self.modelled or word == "include":
                raise parse_error(
                    f"'{word}' sits in an 'if' block whose condition depends on a macro; "
                    "which rules Squid uses cannot be decided offline",
                    path,
                    logical.first,
                )
            self.out.warnings.append(f"{path}:{logical.first}: '{word}' in an undecidable 'if' block")
            return
        if _MACRO.search(text):
            self.out.warnings.append(f"{path}:{logical.first}: macro left unexpanded: {text}")
        if word == "include":
            for pattern in words[1:]:
                self._include(pattern, path, logical.first, depth)
            return
        self.out.directives.append(Directive(word, tuple(words[1:]), path, logical.first, text))

    def _include(self, raw: str, path: str, line: int, depth: int) -> None:
        pattern = resolve(raw, self.config_dir)
        if is_glob(pattern):
            matches = sorted(self.source.expand(pattern))
            if not matches:
                raise parse_error(f"include {pattern} matches no file; Squid refuses to start", path, line)
        else:
            matches = [pattern]
        for match in matches:
            try:
                self.load_file(match, depth + 1)
            except DataError as exc:
                if exc.code != "E-PARSE-SQUID" or exc.line is not None:
                    raise
                raise parse_error(exc.message, path, line) from exc  # name the include line

    def _condition(self, expr: str, path: str, line: int) -> bool | None:
        if _MACRO.search(expr):
            self.out.warnings.append(f"{path}:{line}: 'if {expr}' depends on a macro")
            return None
        if expr in ("true", "false"):
            return expr == "true"
        compare = _COMPARE.match(expr)
        if compare:
            return int(compare.group(1)) == int(compare.group(2))
        raise parse_error(f"cannot evaluate 'if {expr}'", path, line)


def load_directives(
    main: str, source: ConfigSource, config_dir: str, modelled: frozenset[str]
) -> Loaded:
    reader = _Reader(source, config_dir, modelled)
    reader.load_file(main, 0)
    return reader.out
