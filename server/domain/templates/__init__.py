"""Workshop templates: YAML files with a layout in two languages and an agenda.

Pure domain code: parsing, validation, and turning a template into board objects.
The HTTP and CLI layers call the functions exported here.
"""

from __future__ import annotations

from .build import agenda, instantiate, place_beside, summary
from .loader import check_files, load_folder, load_template, read_file
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
    "agenda",
    "check_files",
    "instantiate",
    "load_folder",
    "load_template",
    "localise",
    "pick_locale",
    "place_beside",
    "read_file",
    "summary",
]
