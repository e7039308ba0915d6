"""The shipped browser sync engine under Node, for tests: one harness process, many pages.

`tests/support/js/harness.mjs` builds each page from `web/js/store.js` and
`web/js/sync/engine.js` exactly as the browser does; this class talks to it one JSON
line at a time. The test is the page's socket: it delivers what the server queued
(`recv`) and takes the frames the page sends (`out` of every call).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson

HARNESS = Path(__file__).parent / "js" / "harness.mjs"


class EngineError(AssertionError):
    """The page's engine threw (a broken rule: a seq applied out of order, say)."""


def node_available() -> bool:
    return shutil.which("node") is not None


class NodePages:
    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed")
        self._proc = subprocess.Popen(
            [node, str(HARNESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._next = 0

    def call(self, cmd: str, page: str = "", **args: Any) -> tuple[list[str], Any]:
        """Run one command; returns (frames the page sent, result)."""
        assert self._proc.stdin and self._proc.stdout
        self._next += 1
        line = orjson.dumps({"id": self._next, "cmd": cmd, "page": page, **args})
        self._proc.stdin.write(line + b"\n")
        self._proc.stdin.flush()
        answer = self._proc.stdout.readline()
        if not answer:
            err = self._proc.stderr.read().decode() if self._proc.stderr else ""
            raise RuntimeError(f"the Node harness ended: {err[-2000:]}")
        reply = orjson.loads(answer)
        if "error" in reply:
            raise EngineError(f"page {page}: {reply['error']}")
        return list(reply["out"]), reply["result"]

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        try:
            self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
