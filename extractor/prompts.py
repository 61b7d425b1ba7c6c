"""Versioned prompt templates, loaded by ``name@version`` from files.

A template is a folder ``prompts/<name>/<version>/`` holding ``meta.toml`` (name, version,
description, what changed, default model parameters), ``system.j2`` and ``user.j2`` (Jinja). An
installed wheel carries the folder as ``extractor/_prompts``; in a checkout the repository's
``prompts/`` is used; ``EXTRACTOR_PROMPTS_PATH`` points elsewhere.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from extractor.documents import Document
from extractor.errors import ConfigError, PromptNotFoundError
from extractor.settings import DEFAULT_PROMPT as DEFAULT_PROMPT
from extractor.settings import load_paths

_REF = re.compile(r"^(?P<name>[A-Za-z0-9_\-]+)(?:@(?P<version>[A-Za-z0-9_.\-]+))?$")
_FILES = ("meta.toml", "system.j2", "user.j2")


def prompts_root() -> Path:
    """The folder holding the prompt templates: ``EXTRACTOR_PROMPTS_PATH``, else the shipped ones."""
    override = load_paths().prompts_path
    if override is not None:
        return override
    packaged = Path(__file__).parent / "_prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "prompts"


def _version_key(version: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", version)
    return (int(digits) if digits else -1, version)


def list_prompts() -> list[PromptTemplate]:
    """Every template version found, sorted by name then version."""
    root = prompts_root()
    found = [
        load_prompt(f"{meta.parent.parent.name}@{meta.parent.name}")
        for meta in root.glob("*/*/meta.toml")
    ]
    return sorted(found, key=lambda p: (p.name, _version_key(p.version)))


@dataclass(frozen=True)
class PromptTemplate:
    """One version of a prompt: metadata, templates and default model parameters."""

    name: str
    version: str
    description: str
    changes: str
    params: dict[str, Any]
    system_source: str
    user_source: str
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @cached_property
    def content_hash(self) -> str:
        """A short hash of the template files, recorded with every run that uses them."""
        digest = hashlib.sha256()
        for part in (self.system_source, self.user_source, repr(sorted(self.params.items()))):
            digest.update(part.encode())
        return digest.hexdigest()[:12]

    @cached_property
    def _templates(self) -> tuple[jinja2.Template, jinja2.Template]:
        env = jinja2.Environment(
            undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False
        )
        return env.from_string(self.system_source), env.from_string(self.user_source)

    def render(self, document: Document) -> list[dict[str, str]]:
        """The chat messages for one article."""
        system, user = self._templates
        values = {"text": document.text, "published": document.published, "doc_id": document.doc_id}
        return [
            {"role": "system", "content": system.render(**values).strip()},
            {"role": "user", "content": user.render(**values).strip()},
        ]


def load_prompt(ref: str) -> PromptTemplate:
    """Load ``name@version``; a bare ``name`` means its latest version.

    Raises:
        PromptNotFoundError: no such template; the message lists the ones that exist.
    """
    match = _REF.match(ref.strip())
    if not match:
        raise PromptNotFoundError(
            f"prompt reference {ref!r} is not of the form name@version", hint="e.g. incident@v1"
        )
    root = prompts_root()
    name: str = match["name"]
    version: str | None = match["version"]
    if version is None:
        versions = sorted((p.name for p in (root / name).glob("*") if p.is_dir()), key=_version_key)
        version = versions[-1] if versions else "?"
    folder = root / name / version
    if not all((folder / f).is_file() for f in _FILES):
        known = sorted(
            f"{m.parent.parent.name}@{m.parent.name}" for m in root.glob("*/*/meta.toml")
        )
        raise PromptNotFoundError(
            f"no prompt {name}@{version} in {root}",
            hint="available: " + (", ".join(known) or "none") + "; see `extractor prompts list`",
        )
    try:
        meta = tomllib.loads((folder / "meta.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{folder / 'meta.toml'}: {exc}") from None
    return PromptTemplate(
        name=meta.get("name", name),
        version=meta.get("version", version),
        description=meta.get("description", ""),
        changes=meta.get("changes", ""),
        params=dict(meta.get("params", {})),
        system_source=(folder / "system.j2").read_text(encoding="utf-8"),
        user_source=(folder / "user.j2").read_text(encoding="utf-8"),
        path=folder,
        meta=meta,
    )
