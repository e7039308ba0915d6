// Readable first: which part of the board matters when a page opens or is summoned, and
// the zoom below which its notes' text would be too small to read (drawn as grey bars).
// Pure (no DOM): the text sizes come in from the caller; unit-tested in Node.

import { DEFAULTS } from "./model.generated.js";
import { bounds, intersects, unionBounds } from "./geometry.js";
import { maxTextSize } from "./render/text.js";

/** Note text is read at this size on screen (CSS px) at the least. */
export const READABLE_PX = 12;
/** The readable floor never zooms in further than this. */
export const READABLE_MAX_ZOOM = 1.5;
/** How many notes' text sizes are looked at (laying out text costs; a sample will do). */
export const SAMPLE = 300;

/**
 * A note's text size when there is no note to measure: a default note (200 px high in
 * the model: text up to 32 px) holding a few words shrinks to about three quarters.
 */
export const NOTE_TEXT_PX = maxTextSize({ kind: "note", ...DEFAULTS.note }) * 0.75;

/** The lower of the two middle values: a few big-lettered notes do not set the zoom. */
export function lowerMedian(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The zoom at which note text is READABLE_PX on screen: text of the notes' typical
 * (lower median) size in `sizes`, or of a note about to be written (NOTE_TEXT_PX) when
 * that is smaller: a template's few short example notes have big letters, the ideas
 * people then write are longer and shrink.
 */
export function readableZoom(sizes, typical = NOTE_TEXT_PX) {
  const size = Math.min(lowerMedian(sizes.filter((s) => s > 0)) || typical, typical);
  return Math.min(READABLE_PX / size, READABLE_MAX_ZOOM);
}

/** The frame an agenda step shows (its `focus_frame` action), or null. */
export function stepFrame(step) {
  for (const action of (step && step.actions) || []) if (action && action.focus_frame) return action.focus_frame;
  return null;
}

/**
 * The world rectangle that matters on this board: the current agenda step's frame (the
 * last step up to it that names one; before the first step, the first step's), else the
 * largest frame, else all the content; null on an empty board.
 */
export function focusRect(objects, lookup, session) {
  const agenda = (session && session.agenda) || [];
  const step = session && session.state ? session.state.step : null;
  const from = typeof step === "number" ? Math.min(step, agenda.length - 1) : Math.min(0, agenda.length - 1);
  for (let i = from; i >= 0; i--) {
    const frame = lookup(stepFrame(agenda[i]));
    if (frame && frame.kind === "frame") return bounds(frame, lookup);
    if (typeof step !== "number") break; // not started: only the first step counts
  }
  let largest = null;
  for (const o of objects) if (o.kind === "frame" && (!largest || o.w * o.h > largest.w * largest.h)) largest = o;
  if (largest) return bounds(largest, lookup);
  return unionBounds(objects.map((o) => bounds(o, lookup)));
}

/** Notes with text that lie in `rect` (all notes with text when none do), at most SAMPLE. */
export function notesIn(objects, lookup, rect) {
  const notes = objects.filter((o) => o.kind === "note" && (o.text || "").trim());
  const inside = rect ? notes.filter((o) => intersects(bounds(o, lookup), rect)) : notes;
  return (inside.length ? inside : notes).slice(0, SAMPLE);
}
