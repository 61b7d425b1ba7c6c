"""Render a view page: Jinja templates shipped in the package, autoescaped, one self-contained file.

The page's own script and stylesheet are package files inlined into the page and allowed by hash
in a Content-Security-Policy of ``default-src 'none'``: nothing else runs and nothing is fetched.
The data rides along as JSON in a ``<script type="application/json">`` block, escaped by Jinja's
``tojson`` (``<``, ``>``, ``&`` and ``'`` become ``\\u`` escapes), so an article holding
``</script>`` cannot end the block.
"""

from __future__ import annotations

import base64
import hashlib
import time
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup


def _asset(name: str) -> str:
    return resources.files("extractor.view").joinpath("templates", name).read_text("utf-8")


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.3f}"


def _money(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def _when(timestamp: float | None) -> str:
    return (
        "–" if timestamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))
    )


def _interval(bounds: dict[str, float | None] | None) -> str:
    if not bounds or bounds.get("low") is None or bounds.get("high") is None:
        return "–"
    return f"{_num(bounds['low'])}–{_num(bounds['high'])}"


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment for the view templates (autoescape on for every template)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("extractor.view", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=_num, signed=_signed, money=_money, when=_when, interval=_interval)
    # no spaces after separators: a fifth of a 1,000-article run's embedded data is spent on them
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "separators": (",", ":")}
    return env


@cache
def _assets() -> tuple[str, str]:
    # highlight.js holds the helpers the label page shares with the views (extractor.label)
    script, style = _asset("highlight.js") + "\n" + _asset("view.js"), _asset("view.css")
    # both are inlined verbatim: a closing tag inside them would end their element early
    assert "</" not in script and "</" not in style, "view assets must not contain '</'"
    return script, style


def render_page(template: str, *, title: str, data: dict[str, Any], **context: Any) -> str:
    """Render ``templates/<template>`` into a complete HTML document."""
    script, style = _assets()
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        environment()
        .get_template(template)
        .render(
            title=title,
            data=data,
            csp=csp,
            script=Markup(script),
            style=Markup(style),
            **context,
        )
    )
