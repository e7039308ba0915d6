// GENERATED from the Python domain (server/domain/objects.py, facilitation.py) by
// `python -m server.domain.client_model > web/js/model.generated.js` (`make model`).
// Do not edit: change the Python side and regenerate; tests/server/test_client_model.py
// fails while this file and the generator disagree.

export const KINDS = ["note", "text", "shape", "connector", "path", "image", "frame"];

export const SHAPES = ["rectangle", "ellipse", "diamond"];

export const ARROWS = ["none", "start", "end", "both"];

export const ALIGNS = ["left", "center", "right"];

export const DEFAULTS = {
  "note": {"rotation": 0, "z": 0, "locked": false, "w": 200, "h": 200, "color": "#fff59d", "text": "", "tag": ""},
  "text": {"rotation": 0, "z": 0, "locked": false, "w": 240, "h": 60, "color": "#1f2937", "text": "", "font_size": 24, "align": "left"},
  "shape": {"rotation": 0, "z": 0, "locked": false, "w": 200, "h": 120, "shape": "rectangle", "color": "#ffffff", "stroke": "#1f2937", "text": ""},
  "connector": {"rotation": 0, "z": 0, "locked": false, "color": "#1f2937", "arrow": "end", "dashed": false, "text": ""},
  "path": {"rotation": 0, "z": 0, "locked": false, "color": "#1f2937", "width": 3},
  "image": {"rotation": 0, "z": 0, "locked": false, "w": 200, "h": 200, "alt": ""},
  "frame": {"rotation": 0, "z": 0, "locked": false, "w": 800, "h": 600, "color": "#f3f4f6", "title": ""},
};

export const REQUIRED = {
  "note": ["x", "y"],
  "text": ["x", "y"],
  "shape": ["x", "y"],
  "connector": ["x", "y", "from", "to"],
  "path": ["x", "y", "points"],
  "image": ["x", "y", "asset"],
  "frame": ["x", "y"],
};

export const BOX_KINDS = ["note", "text", "shape", "image", "frame"];

export const TEXT_FIELD = {
  "note": "text",
  "text": "text",
  "shape": "text",
  "connector": "text",
  "frame": "title",
};

export const RANGES = {
  "x": [-10000000.0, 10000000.0],
  "y": [-10000000.0, 10000000.0],
  "w": [0, 1000000.0],
  "h": [0, 1000000.0],
  "rotation": [-360, 360],
  "z": [-1000000000000000.0, 1000000000000000.0],
  "font_size": [4, 512],
  "width": [0.5, 200],
};

export const TEXT_LIMITS = {
  "text": 5000,
  "tag": 32,
  "title": 200,
  "alt": 1000,
};

export const MAX_PATH_POINTS = 5000;

export const MAX_OBJECTS_PER_BOARD = 50000;

export const SESSION_DEFAULT = {
  "timer": null,
  "private": false,
  "voting": null,
  "permissions": {"add": true, "move": true, "vote": true},
  "locked": false,
  "follow": null,
  "step": null,
  "anonymous": false,
};

export const PERMISSIONS = ["add", "move", "vote"];

export const MAX_VOTES = 100;

export const MAX_TIMER_SEC = 14400;
