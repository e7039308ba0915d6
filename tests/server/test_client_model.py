"""The page's model (web/js/model.generated.js) is the domain's, generated and pinned.

If this fails, regenerate: `make model` (python -m server.domain.client_model >
web/js/model.generated.js), and commit the file with the Python change.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from server.domain import facilitation, objects
from server.domain.client_model import model, model_js

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "web" / "js" / "model.generated.js"


def test_checked_in_model_is_what_the_generator_produces() -> None:
    assert GENERATED.read_text(encoding="utf-8") == model_js(), (
        "web/js/model.generated.js is stale: run `make model` and commit it"
    )


def test_model_carries_the_domain_defaults_and_limits() -> None:
    data = model()
    assert data["DEFAULTS"]["text"]["font_size"] == objects.SCHEMAS["text"]["font_size"]
    assert data["RANGES"]["font_size"] == [objects.FONT_SIZE_MIN, objects.FONT_SIZE_MAX]
    assert data["SESSION_DEFAULT"] == facilitation.initial_state()
    # Every field a create may leave out has its default; required ones are listed.
    for kind, schema in objects.SCHEMAS.items():
        assert set(data["DEFAULTS"][kind]) | set(data["REQUIRED"][kind]) == set(schema)


def test_page_modules_hold_no_hand_copies() -> None:
    """schema.js, session.js and geometry.js import the model instead of copying it."""
    for name in ("schema.js", "session.js", "geometry.js"):
        text = (ROOT / "web" / "js" / name).read_text(encoding="utf-8")
        assert 'from "./model.generated.js"' in text, name
    schema = (ROOT / "web" / "js" / "schema.js").read_text(encoding="utf-8")
    assert '"#fff59d", text: ""' not in schema and "font_size: 24" not in schema
    geometry = (ROOT / "web" / "js" / "geometry.js").read_text(encoding="utf-8")
    assert not re.search(r"FONT_MIN = 4|FONT_MAX = 512|= 1_000_000|= 10_000_000", geometry)


def test_the_page_reads_the_same_model_under_node() -> None:
    """The shipped modules, loaded by Node, give the domain's defaults (not only the file)."""
    script = (
        'import { withDefaults, BOX_KINDS } from "./web/js/schema.js";'
        "const out = {};"
        'for (const kind of ["note","text","shape","connector","path","image","frame"])'
        "  out[kind] = withDefaults({ kind });"
        "console.log(JSON.stringify({ out, box: [...BOX_KINDS] }));"
    )
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    page = json.loads(done.stdout)
    for kind, schema in objects.SCHEMAS.items():
        expected = {k: v for k, v in schema.items() if v is not None and k not in ("x", "y")}
        assert page["out"][kind] == {"kind": kind, **expected}
    assert set(page["box"]) == set(objects.BOX_KINDS)
