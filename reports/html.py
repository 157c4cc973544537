"""The HTML report: one self-contained file (inline CSS, no external resources) rendered with Jinja2."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pushaudit.results import RunResult

from .summary import build_report
from .view import STATUS_LABEL, STATUS_ORDER

TEMPLATE = "report.html.j2"


@cache
def environment() -> Environment:
    """The one Jinja2 environment: autoescaping on for everything, unknown names are errors."""
    env = Environment(
        loader=PackageLoader("pushaudit.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "css"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["status_order"] = [s.value for s in STATUS_ORDER]
    env.globals["status_label"] = {s.value: label for s, label in STATUS_LABEL.items()}
    return env


def render_html(run: RunResult) -> str:
    """The whole report as one HTML document."""
    report = build_report(run)
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    return environment().get_template(TEMPLATE).render(report=report, generated=generated)


def write_html(run: RunResult, path: Path | str) -> Path:
    """Render the report and write it to ``path`` (UTF-8); returns the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(run), encoding="utf-8")
    return target
