"""The board page's script modules, listed for `<link rel="modulepreload">`.

The page has no build step: `board.js` imports ~70 modules, and the browser finds them
one level of the import tree at a time (fetch a module, parse it, fetch its imports).
Listing every static import in the page lets it fetch them all at once, so the page
starts sooner (docs/performance.md, "Big boards: the socket first"). The list is read
from the modules' own `import`/`export … from` lines, so it cannot go stale; dynamic
`import()` is left out (loaded on demand by design).
"""

from __future__ import annotations

import pathlib
import re

# `import x from "./a.js"`, `import { a, b } from "../b.js"` (also across lines),
# `import "./c.js"`, `export { a } from "./d.js"`: relative specifiers only.
_STATIC = re.compile(
    r"""(?:^|[;\n])\s*(?:import|export)\s+(?:[\w$*{},\s]+?\s+from\s+)?["'](\.{1,2}/[^"']+)["']"""
)


class ModuleGraph:
    """The static import graph of modules under `root` (the static files: web/js and
    web/vendor), from some entry modules, cached by the files' mtimes."""

    def __init__(self, root: pathlib.Path, entries: list[str]) -> None:
        self.js_dir = root.resolve()
        self.entries = entries
        self._cache: tuple[tuple[float, ...], list[str]] | None = None

    def _stamp(self, names: list[str]) -> tuple[float, ...]:
        stamps = []
        for name in names:
            try:
                stamps.append((self.js_dir / name).stat().st_mtime)
            except OSError:
                stamps.append(-1.0)
        return tuple(stamps)

    def modules(self) -> list[str]:
        """Paths relative to `root`, entry by entry, breadth first."""
        cached = self._cache
        if cached is not None and self._stamp(cached[1]) == cached[0]:
            return cached[1]
        found = self._walk()
        self._cache = (self._stamp(found), found)
        return found

    def _walk(self) -> list[str]:
        """Each entry's whole graph in turn (so boot.js's modules come first)."""
        seen: list[str] = []
        for entry in self.entries:
            queue = [entry]
            while queue:
                name = queue.pop(0)
                path = (self.js_dir / name).resolve()
                if name in seen or not path.is_file() or not path.is_relative_to(self.js_dir):
                    continue
                seen.append(name)
                for spec in _STATIC.findall(path.read_text(encoding="utf-8")):
                    target = (path.parent / spec).resolve()
                    if target.is_relative_to(self.js_dir):
                        queue.append(target.relative_to(self.js_dir).as_posix())
        return seen
