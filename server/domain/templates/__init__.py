"""Workshop templates: YAML files with a layout in two languages and an agenda.

Pure domain code: parsing, validation, and turning a template into board objects.
Files come in as bytes: `server/files.py` reads folders and files for the services,
the CLI and the tests.
"""

from __future__ import annotations

from .build import agenda, instantiate, place_beside, summary
from .loader import (
    TemplateFile,
    TemplateFolder,
    check_sources,
    decode_file,
    is_template_name,
    load_folders,
    load_template,
)
from .model import Template, TemplateError, localise, pick_locale
from .parse import MAX_BYTES
from .schema import CATEGORIES, LOCALES, SCHEMA

__all__ = [
    "CATEGORIES",
    "LOCALES",
    "MAX_BYTES",
    "SCHEMA",
    "Template",
    "TemplateError",
    "TemplateFile",
    "TemplateFolder",
    "agenda",
    "check_sources",
    "decode_file",
    "instantiate",
    "is_template_name",
    "load_folders",
    "load_template",
    "localise",
    "pick_locale",
    "place_beside",
    "summary",
]
