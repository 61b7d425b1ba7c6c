"""The label page and the guidelines page: the view's page template, with the label's script.

The label page is rendered from ``templates/label.html.j2``, which extends the view's
``page.html.j2``; its script is the view's shared ``highlight.js`` (DOM helpers and the article
highlighting) followed by ``label.js``, and its stylesheet the view's ``view.css`` plus
``label.css``. Both are inlined and allowed by hash; the only other thing the page may do is talk
to its own server (``connect-src 'self'``).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

#: The keys the page lists (and label.js implements).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("j / ↓", "next field"),
    ("k / ↑", "previous field"),
    ("n", "next undecided field"),
    ("Enter", "accept the value shown (on a person: keep it)"),
    ("1–9", "accept candidate 1–9"),
    ("e", "edit (Enter done, Esc cancel)"),
    ("0 / Del", "null"),
    ("a", "add the other candidates as alternatives"),
    ("g", "this field's guidelines"),
    ("P", "add a person"),
    ("X", "remove this person"),
    ("[ / ]", "move this person up / down"),
    ("m / t", "write the summary / the notes (Esc back to the form)"),
    ("s / Ctrl+S", "save the gold file"),
    ("< / >", "previous / next article"),
)


def _read(package: str, name: str) -> str:
    return resources.files(package).joinpath("templates", name).read_text("utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("extractor.label", "templates"),
                jinja2.PackageLoader("extractor.view", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _assets() -> tuple[str, str]:
    script = _read("extractor.view", "highlight.js") + "\n" + _read("extractor.label", "label.js")
    style = _read("extractor.view", "view.css") + "\n" + _read("extractor.label", "label.css")
    assert "</" not in script and "</" not in style, "page assets must not contain '</'"
    return script, style


def render_label_page(*, title: str, data: dict[str, Any], **context: Any) -> str:
    """The label page's HTML: the worklist, the article, the form."""
    script, style = _assets()
    csp = (
        "default-src 'none'; "
        f"script-src {_hash(script)}; style-src {_hash(style)}; "
        "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        _environment()
        .get_template("label.html.j2")
        .render(
            title=title,
            data={"view": "label", **data},
            csp=csp,
            script=Markup(script),
            style=Markup(style),
            shortcuts=SHORTCUTS,
            **context,
        )
    )


def render_guidelines_page(body: str) -> str:
    """The guidelines as a page of their own (no script), sections anchored by id."""
    _, style = _assets()
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src {_hash(style)}">'
        f"<title>Labeling guidelines</title><style>{style}</style></head>"
        f'<body><main><section class="guidelines">{body}</section></main></body></html>'
    )
