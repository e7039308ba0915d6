"""Pure board renderer: SVG, PNG, PDF and the session report, with shared text layout."""
