"""Render the lab's configuration templates (pushaudit/lab/files/*.j2)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pushaudit.lab", "files"),
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty line
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - configuration files, not HTML
    )


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values)


def static_file(name: str) -> str:
    return resources.files("pushaudit.lab").joinpath("files", name).read_text(encoding="utf-8")
