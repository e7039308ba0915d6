"""The browser fixture of the browser tests, for S8's browser half."""

from __future__ import annotations

from tests.browser.conftest import browser

__all__ = ["browser"]
