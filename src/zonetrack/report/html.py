"""HTML of the reports: Jinja2 templates under report/templates, autoescaped; Python passes data."""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from zonetrack.engine.status import STATUS_TABLE
from zonetrack.report.formatting import PART


def safe_url(text: object) -> str | None:
    """A source address usable as a link: only http(s), never javascript: or data:."""
    value = str(text or "").strip()
    return value if value.startswith(("http://", "https://")) else None


def code_spans(text: object) -> Markup:
    """A plan's reading as written in YAML, with its `key: value` spans as code: the text escaped first,
    so that only the backticks become markup."""
    escaped = str(escape(str(text or "")))
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


@cache
def environment() -> Environment:
    """The templates' environment (one per process)."""
    env = Environment(
        loader=PackageLoader("zonetrack", "report/templates"),
        autoescape=select_autoescape(["html", "j2", "css"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["statuses"] = {row["code"]: row for row in STATUS_TABLE}
    env.globals["status_list"] = STATUS_TABLE
    env.globals["PART"] = PART
    env.filters["safe_url"] = safe_url
    env.filters["code_spans"] = code_spans
    return env


@cache
def _sentences():
    """The sentences' macros (templates/sentences.txt.j2), in plain text: whoever places a sentence
    escapes it (the pages' autoescape, python-docx's runs)."""
    return environment().overlay(autoescape=False).get_template("sentences.txt.j2").module


def by_name(text: str, names: dict[str, str]) -> str:
    """A message as a reader reads it: every id of `names` that stands as a word in it (a zone's,
    an indicator's) replaced by its name; other text, and an id standing inside a longer word
    (revenue in revenue_growth), kept as it is."""
    if not names or not text:
        return text
    # The longest ids first, so that an id is never replaced inside a longer one.
    pattern = "|".join(re.escape(i) for i in sorted(names, key=len, reverse=True))
    return re.sub(rf"(?<![\w])(?:{pattern})(?![\w])", lambda m: names[m.group(0)], text)


def sentence(macro: str, /, **fields) -> str:
    """One of the reports' sentences about a target, with its (formatted) fields."""
    return str(getattr(_sentences(), macro)(**fields))


def render(template: str, **context) -> str:
    """Render one template with its data."""
    return environment().get_template(template).render(**context)


def css() -> Markup:
    """The reports' stylesheet, to go inside <style> as it is: escaping would turn its quotes into
    entities, which CSS does not read. Its only inputs are the status colours of statuses.csv,
    which the status table checks are hex colours; nothing from data reaches it."""
    return Markup(render("report.css.j2"))
