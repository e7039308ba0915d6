"""The template catalogue of a running server: shipped templates plus the operator's own."""

from __future__ import annotations

import logging
from typing import Any

from server.domain.errors import ErrorCode, ProtocolError
from server.domain.render.png import render_png
from server.domain.templates import (
    Template,
    TemplateFolder,
    agenda,
    instantiate,
    load_folders,
    pick_locale,
    summary,
)

log = logging.getLogger("samskap.templates")


class TemplateCatalog:
    """Templates from folders the files adapter read (`server.files.read_template_folder`)."""

    def __init__(self, *folders: TemplateFolder) -> None:
        self.templates: dict[str, Template]
        self.templates, self.problems = load_folders(folders)
        for problem in self.problems:
            log.warning("template skipped: %s", problem)  # a bad file never stops the server
        self._previews: dict[tuple[str, str], bytes] = {}

    def get(self, template_id: Any) -> Template:
        template = self.templates.get(template_id) if isinstance(template_id, str) else None
        if template is None:
            raise ProtocolError(ErrorCode.BAD_MESSAGE, f"unknown template {template_id!r}")
        return template

    def listing(self, locale: str) -> list[dict[str, Any]]:
        lang = pick_locale(locale)
        return [
            {**summary(t, lang), "preview": f"/api/templates/{t.id}/preview.png?locale={lang}"}
            for t in sorted(self.templates.values(), key=lambda t: t.id)
        ]

    def preview(self, template_id: Any, locale: str) -> bytes:
        """A small picture of the template (rendered once per language, then kept)."""
        template = self.get(template_id)
        key = (template.id, pick_locale(locale))
        if key not in self._previews:
            objects = instantiate(template, key[1], (0.0, 0.0), "")
            width = max(template.size[0], 1.0)
            board = {"title": "", "objects": objects}
            self._previews[key] = render_png(board, scale=min(1.0, 480 / width), padding=10)
        return self._previews[key]

    def board_from(
        self, template_id: Any, locale: str
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Objects and settings of a new board made from a template."""
        template = self.get(template_id)
        objects = instantiate(template, locale, (0.0, 0.0), "")
        settings = {"locale": locale, "template": template.id, "agenda": agenda(template, locale)}
        return objects, settings
