// The board page: wires the store, the connection, the canvas, tools, keyboard,
// presence, outline and the panels together. Each piece lives in its own module.

import "./storage.js"; // first: a stand-in where the browser blocks storage
import { Actions } from "./actions.js";
import { Camera } from "./camera.js";
import { Editor } from "./editor.js";
import { bounds, connectorEnds, drawnBounds, hit, insideFrame, unionBounds } from "./geometry.js";
import { applyDom, bindLangSelect, initI18n, t } from "./i18n.js";
import { Outline } from "./outline.js";
import { Presence } from "./presence.js";
import { Connection } from "./protocol.js";
import { Renderer } from "./render/canvas.js";
import { ImageCache } from "./render/images.js";
import { loadFonts } from "./render/text.js";
import { FRAME_COLORS, INK_COLORS, NOTE_COLORS, TEXT_FIELD } from "./schema.js";
import { Selection } from "./selection.js";
import { Store } from "./store.js";
import { ConnectorTool } from "./tools/connector.js";
import { BOX_TOOLS, CreateTool } from "./tools/create.js";
import { uploadImage } from "./tools/image.js";
import { EraserTool, PenTool } from "./tools/pen.js";
import { SelectTool } from "./tools/select.js";
import { UndoStack } from "./undo.js";
import { h, isTextInput, throttle } from "./util.js";
import { rememberBoard } from "./myboards.js";
import { copyAssets } from "./assetcopy.js";
import { SessionState } from "./session.js";
import { ExportMenu } from "./export.js";
import { Banners } from "./facilitation/banners.js";
import { Breakouts } from "./facilitation/breakouts.js";
import { Moderation } from "./facilitation/moderation.js";
import { Follow } from "./facilitation/follow.js";
import { makeDecorator } from "./facilitation/marks.js";
import { FacilitationPanel } from "./facilitation/panel.js";
import { Results } from "./facilitation/results.js";
import { StepCard } from "./facilitation/step.js";
import { TemplatePicker } from "./facilitation/templates.js";
import { TimerView } from "./facilitation/timer.js";
import { Voting } from "./facilitation/voting.js";
import { watchVersion } from "./version.js";

const $ = (sel) => document.querySelector(sel);
const TOOL_KEYS = { v: "select", h: "hand", n: "note", t: "text", r: "rectangle", o: "ellipse", d: "diamond", c: "connector", p: "pen", e: "eraser", f: "frame" };

function tokenFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return params.get("t") || "";
}

function askName() {
  return new Promise((resolve) => {
    const dialog = $("#name-dialog");
    const input = $("#name-input");
    input.value = localStorage.getItem("samskap.name") || "";
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    $("#name-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const name = input.value.trim().replace(/\s+/g, " ").slice(0, 64);
      if (!name) {
        input.focus();
        return;
      }
      localStorage.setItem("samskap.name", name);
      dialog.close();
      resolve(name);
    });
    dialog.showModal();
    input.focus();
  });
}

async function main() {
  await initI18n();
  bindLangSelect($("#lang-select"));
  const boardId = document.body.dataset.boardId;
  const token = tokenFromHash();
  const canvas = $("#board-canvas");
  const stage = $("#stage");
  const overlay = $("#overlay");

  const fatal = (key) => {
    const box = $("#fatal");
    box.querySelector(".fatal-text").textContent = t(key);
    box.hidden = false;
    document.body.classList.add("is-fatal");
  };
  if (!token) return fatal("error.no_token");

  const name = localStorage.getItem("samskap.name") || (await askName());

  const store = new Store();
  const camera = new Camera();
  const selection = new Selection();
  const images = new ImageCache(boardId, token);
  const ui = {
    get selection() {
      return selection.ids;
    },
    marquee: null,
    draft: null,
    editingId: null,
    erasing: null,
    hoverTarget: null,
    remoteSelected: new Map(),
    noteColor: localStorage.getItem("samskap.noteColor") || NOTE_COLORS[0][1],
    inkColor: INK_COLORS[0][1],
    readOnly: true,
  };
  const conn = new Connection({ boardId, token, name, store });
  watchVersion(conn, { banner: document.querySelector("#banner-version") });
  const undo = new UndoStack(store, (ops) => conn.send(ops));
  // "Undone", and when someone else had changed a field since, that theirs was kept.
  const announceUndo = (key) => {
    const kept = undo.lastSkipped ? ` ${t("announce.undo_kept", { n: undo.lastSkipped })}` : "";
    ctx.announce(t(key) + kept);
  };
  const renderer = new Renderer(canvas, store, camera, images, ui);
  // Text is measured with the shipped fonts once they are in (as the export measures it).
  loadFonts().then(() => renderer.invalidate());
  const lookup = (id) => store.get(id);

  const announcer = $("#announcer");
  let announceTimer = null;
  const ctx = {
    boardId,
    token,
    store,
    conn,
    camera,
    selection,
    undo,
    renderer,
    images,
    ui,
    canvas,
    lookup,
    t,
    you: null,
    get readOnly() {
      return ui.readOnly;
    },
    connectorEnds: (obj) => connectorEnds(obj, lookup),
    announce(text) {
      clearTimeout(announceTimer);
      announceTimer = setTimeout(() => {
        announcer.textContent = "";
        announcer.textContent = text;
      }, 100);
    },
    toast(text) {
      const el = $("#toast");
      el.textContent = text;
      el.hidden = false;
      clearTimeout(el._timer);
      el._timer = setTimeout(() => (el.hidden = true), 4000);
    },
    editingBy: (id) => presence.editingBy(id),
  };
  const actions = new Actions({ store, conn, selection, undo, camera });
  actions.boardId = boardId;
  actions.announce = (key, vars) => ctx.announce(t(key, vars));
  ctx.actions = actions;
  const editor = new Editor(ctx, overlay);
  ctx.editor = editor;
  const presence = new Presence(ctx, { layer: overlay, list: $("#people-list"), count: $("#people-count") });
  ctx.presence = presence;
  const outline = new Outline(ctx, $("#outline-body"));

  // --- the workshop session: timer, private mode, voting, follow, agenda ----------------
  const session = new SessionState(conn, boardId);
  ctx.session = session;
  renderer.decorate = makeDecorator(session);
  conn.beforeSend = (ops) => {
    if (!session.writesPrivately) return;
    for (const op of ops) if (op.op === "create") session.notePrivate(op.object.id);
  };
  const timerView = new TimerView(ctx, session, $("#timer"));
  const banners = new Banners(ctx, session, { privateEl: $("#banner-private"), lockedEl: $("#banner-locked"), voteEl: $("#banner-vote") });
  const follow = new Follow(ctx, session, { banner: $("#banner-follow"), stop: $("#follow-stop"), resume: $("#follow-resume") });
  const stepCard = new StepCard(ctx, session, $("#step-card"));
  const results = new Results(ctx, session, $("#results"));
  const voting = new Voting(ctx, session);
  ctx.voting = voting;
  const exportMenu = new ExportMenu(ctx, $("#export-menu"));
  let panel = null;
  let picker = null;
  let breakouts = null;
  // The session's marks (private notes, votes) are part of the board's drawn content.
  session.addEventListener("change", () => {
    applyAccess();
    renderer.invalidate();
    outline.refresh();
  });
  session.addEventListener("votes", () => {
    renderer.invalidate();
    outline.refresh();
  });

  /** Topmost object under world point `p`. Frames are picked by title/border. */
  ctx.pick = (p) => {
    const tol = 4 / camera.zoom;
    const all = store.sorted();
    for (let i = all.length - 1; i >= 0; i--) if (hit(all[i], p, tol, lookup)) return all[i];
    return null;
  };
  ctx.frameAt = (p) => {
    const all = store.sorted();
    for (let i = all.length - 1; i >= 0; i--) if (all[i].kind === "frame" && insideFrame(all[i], p)) return all[i];
    return null;
  };

  // --- presence out -------------------------------------------------------------
  let cursor = null;
  const sendPresence = throttle(() => {
    conn.presence({
      cursor,
      selection: [...selection].slice(0, 1000),
      editing: ui.editingId,
      // w, h: my viewport in board units, so followers can fit it into their screens.
      view: { x: camera.x, y: camera.y, zoom: camera.zoom, w: camera.width / camera.zoom, h: camera.height / camera.zoom },
    });
  }, 60);
  ctx.sendPresence = sendPresence;

  // --- tools ----------------------------------------------------------------------
  const tools = {
    select: new SelectTool(ctx),
    connector: new ConnectorTool(ctx),
    pen: new PenTool(ctx),
    eraser: new EraserTool(ctx),
  };
  for (const name of Object.keys(BOX_TOOLS)) tools[name] = new CreateTool(ctx, name);
  let tool = tools.select;
  let toolName = "select";
  ctx.setTool = (name) => {
    if ((ui.readOnly || ui.canAdd === false) && name !== "select" && name !== "hand") return;
    if (name === "image") {
      $("#image-input").click();
      return;
    }
    tool.cancel?.();
    // A drawing tool starts something new: the selection, its toolbar and its handles go
    // (they stayed over where one draws).
    if (name !== "select" && name !== "hand" && name !== toolName) selection.clear();
    toolName = name;
    tool = tools[name] || tools.select;
    for (const b of document.querySelectorAll("button[data-tool]")) b.setAttribute("aria-pressed", String(b.dataset.tool === name));
    canvas.dataset.tool = name;
    canvas.style.cursor = name === "hand" ? "grab" : tool.cursor;
    $("#note-palette").hidden = name !== "note";
    $("#ink-palette").hidden = name !== "pen";
    renderer.request();
  };

  // --- rendering hooks --------------------------------------------------------------
  renderer.onRender = () => {
    if (!window.samskap.firstRender && store.loaded && !first) window.samskap.firstRender = performance.now();
    presence.place();
    editor.position();
    $("#zoom-level").textContent = `${Math.round(camera.zoom * 100)} %`;
    placeSelbar();
  };
  camera.addEventListener("change", () => {
    renderer.request();
    sendPresence();
  });
  new ResizeObserver(() => renderer.resize()).observe(stage);

  store.addEventListener("change", () => {
    selection.prune(store);
    renderer.request();
    outline.refresh();
    // Locked or unlocked (here or by a facilitator elsewhere): other actions apply.
    if (lockKey() !== shownLockKey) updateSelbar();
  });
  selection.addEventListener("change", () => {
    renderer.request();
    sendPresence();
    updateSelbar();
  });
  undo.addEventListener("change", () => {
    $("#undo-btn").disabled = !undo.done.length;
    $("#redo-btn").disabled = !undo.undone.length;
  });

  // --- connection --------------------------------------------------------------------
  const status = $("#status");
  const showStatus = () => {
    let key = "status.saved";
    if (conn.state === "offline") key = "status.offline";
    else if (conn.state === "connecting") key = store.loaded ? "status.offline" : "status.connecting";
    else if (store.pending.length) key = "status.saving";
    status.dataset.state = key.split(".")[1];
    status.querySelector(".status-text").textContent = t(key);
  };
  conn.addEventListener("state", showStatus);
  store.addEventListener("change", showStatus);
  let first = true;
  conn.addEventListener("welcome", (e) => {
    const msg = e.detail;
    ctx.you = msg.you;
    document.body.classList.add("is-ready");
    setupFacilitator(msg.you.role === "facilitator");
    exportMenu.setRole(msg.you.role);
    applyAccess();
    const title = (msg.board && msg.board.title) || "";
    $("#board-title").textContent = title || t("board.untitled");
    document.title = `${title || t("board.untitled")} – Samskap`;
    presence.reset(msg.peers);
    rememberBoard({ id: boardId, title, role: msg.you.role, link: location.href });
    if (first) {
      first = false;
      zoomToFit();
      $("#loading").hidden = true;
    }
    outline.render();
    showStatus();
  });
  conn.addEventListener("remote", (e) => {
    const { msg } = e.detail;
    const p = presence.peers.get(msg.by);
    const who = p ? p.name : t("people.someone");
    const creates = (msg.ops || []).filter((o) => o.op === "create").length;
    const deletes = (msg.ops || []).filter((o) => o.op === "delete").length;
    if (creates) ctx.announce(t("announce.remote_created", { name: who, n: creates }));
    else if (deletes) ctx.announce(t("announce.remote_deleted", { name: who, n: deletes }));
  });
  conn.addEventListener("presence", (e) => {
    presence.update(e.detail);
    follow.presence(e.detail);
  });
  conn.addEventListener("summon", (e) => follow.summon(e.detail));
  conn.addEventListener("peer_joined", (e) => presence.joined(e.detail.peer));
  conn.addEventListener("peer_left", (e) => presence.left(e.detail.client, e.detail.conn));
  presence.addEventListener("change", () => outline.refresh());
  // Refusals say in words what happened: a vote or a command (matched by its `req`),
  // a batch refused for good (the view fell back), or a message about nothing in particular.
  const explain = (detail) => {
    const code = detail.code;
    if (code === "forbidden" && session.role === "participant" && (session.state.locked || !session.state.permissions.add || !session.state.permissions.move)) {
      ctx.toast(t("error.forbidden_session"));
      return;
    }
    const key = `error.${code}`;
    ctx.toast(t(key) === key ? detail.message || code : t(key));
  };
  session.addEventListener("refused", (e) => {
    if (e.detail.type === "error" && session.state.voting && session.state.voting.open && !e.detail.action) {
      ctx.toast(t("vote.refused"));
      return;
    }
    explain(e.detail);
  });
  conn.addEventListener("refused", (e) => {
    const key = `error.${e.detail.code}`;
    const why = t(key) === key ? e.detail.message || e.detail.code : t(key);
    ctx.toast(t("error.not_saved", { why }));
  });
  conn.addEventListener("error", (e) => explain(e.detail));

  /** What this person may do now: role, board lock and the facilitator's permissions. */
  function applyAccess() {
    const role = ctx.you ? ctx.you.role : "viewer";
    const s = session.state;
    const participant = role === "participant";
    const wasReadOnly = ui.readOnly;
    ui.readOnly = role === "viewer" || (participant && s.locked);
    ui.canAdd = !ui.readOnly && !(participant && s.permissions.add === false);
    document.body.classList.toggle("is-viewer", role === "viewer");
    document.body.classList.toggle("is-locked", participant && !!s.locked);
    document.body.classList.toggle("is-voting", voting.active);
    $("#toolbar").hidden = ui.readOnly;
    $("#viewer-badge").hidden = role !== "viewer";
    $("#undo-group").hidden = ui.readOnly;
    for (const b of document.querySelectorAll("button[data-tool]")) {
      const creates = b.dataset.tool !== "select" && b.dataset.tool !== "hand";
      b.disabled = creates && !ui.canAdd;
    }
    if ((ui.readOnly && !wasReadOnly) || (!ui.canAdd && toolName !== "select" && toolName !== "hand")) {
      if (editor.active) editor.finish();
      ctx.setTool("select");
    }
    timerView.render();
    banners.render();
    follow.render();
    stepCard.render();
    results.render();
    updateSelbar();
  }

  /** The facilitation panel, the template picker and breakouts: facilitators only. */
  function setupFacilitator(isFacilitator) {
    $("#facilitate-btn").hidden = !isFacilitator;
    if (!isFacilitator) {
      $("#facilitate").hidden = true;
      return;
    }
    if (panel) return;
    panel = new FacilitationPanel(ctx, session, $("#facilitate"));
    picker = new TemplatePicker(ctx, session, $("#template-dialog"));
    breakouts = new Breakouts(ctx, () => panel.frameInView());
    ctx.moderation = new Moderation(ctx, session);
    presence.refresh();
    $("#fac-insert").addEventListener("click", () => picker.open());
    panel.render();
  }
  conn.addEventListener("link", (e) => {
    ctx.token = e.detail.token; // uploads, exports and images use the new link (M6)
    images.token = e.detail.token;
  });
  conn.addEventListener("fatal", (e) => {
    const code = e.detail.code;
    const key = { deleted: "error.deleted", replaced: "error.replaced", removed: "error.removed" }[code];
    fatal(key || "error.unauthorized");
    $("#reclaim").hidden = code !== "replaced";
  });
  $("#reclaim").addEventListener("click", () => {
    $("#fatal").hidden = true;
    $("#reclaim").hidden = true;
    document.body.classList.remove("is-fatal");
    conn.reclaim();
  });

  // --- view helpers ----------------------------------------------------------------
  function contentBounds(objs) {
    return unionBounds(objs.map((o) => bounds(o, lookup)));
  }
  function zoomToFit() {
    camera.fit(contentBounds(store.sorted()), 60, 1);
  }
  function zoomToSelection() {
    const b = contentBounds(actions.selected());
    if (b) camera.fit(b, 80, 2);
  }
  ctx.showObject = (id) => {
    const obj = store.get(id);
    if (!obj) return;
    selection.set([id]);
    const b = bounds(obj, lookup);
    if (b.w * camera.zoom > camera.width * 0.8 || b.h * camera.zoom > camera.height * 0.8) camera.fit(b, 80, 1);
    else camera.centerOn({ x: b.x + b.w / 2, y: b.y + b.h / 2 });
    canvas.focus();
  };
  ctx.addNoteInFrame = (frameId) => {
    const f = store.get(frameId);
    if (!f || ui.readOnly) return;
    const inside = outline.groups().frames.find((g) => g.frame.id === frameId)?.items.length || 0;
    const cols = Math.max(1, Math.floor((f.w - 40) / 220));
    const x = f.x + 20 + (inside % cols) * 220;
    const y = f.y + 20 + Math.floor(inside / cols) * 220;
    const note = actions.create({ kind: "note", x, y: Math.min(y, f.y + f.h - 200), w: 200, h: 200, color: ui.noteColor });
    ctx.announce(t("announce.created", { what: t("kind.note") }));
    outline.render();
    const field = [...document.querySelectorAll(".outline-note")].find((li) => outline.items.get(`n:${note.id}`) === li);
    field?.querySelector("textarea")?.focus();
  };

  /** Place a new object of a box tool in the middle of the view (keyboard use). */
  function placeAtCenter(name) {
    const c = camera.center();
    const nudge = (store.sorted().filter((o) => Math.abs(o.x + (o.w || 0) / 2 - c.x) < 10 && Math.abs(o.y + (o.h || 0) / 2 - c.y) < 10).length) * 24;
    tools[name].place(null, { x: c.x + nudge, y: c.y + nudge });
  }

  // --- pointer input --------------------------------------------------------------------
  const pointers = new Map();
  let pan = null;
  let pinch = null;
  let spaceDown = false;
  const local = (e) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  canvas.addEventListener("pointerdown", (e) => {
    canvas.focus({ preventScroll: true });
    if (editor.active) editor.finish();
    pointers.set(e.pointerId, local(e));
    canvas.setPointerCapture(e.pointerId);
    if (pointers.size === 2) {
      tool.cancel?.();
      const [a, b] = [...pointers.values()];
      pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y), mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, zoom: camera.zoom };
      pan = null;
      return;
    }
    const s = local(e);
    const p = camera.toWorld(s.x, s.y);
    const emptyTouch = e.pointerType === "touch" && toolName === "select" && !ctx.pick(p);
    if (e.button === 1 || spaceDown || toolName === "hand" || (e.button === 0 && emptyTouch) || (ui.readOnly && !ctx.pick(p))) {
      pan = { last: s };
      canvas.style.cursor = "grabbing";
      return;
    }
    if (e.button !== 0) return;
    if (voting.pointer(p, e.shiftKey)) return;
    tool.down(e, p);
  });
  canvas.addEventListener("pointermove", (e) => {
    const s = local(e);
    const p = camera.toWorld(s.x, s.y);
    cursor = { x: Math.round(p.x), y: Math.round(p.y) };
    sendPresence();
    if (pointers.has(e.pointerId)) pointers.set(e.pointerId, s);
    if (pinch && pointers.size >= 2) {
      const [a, b] = [...pointers.values()];
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      camera.panBy(mid.x - pinch.mid.x, mid.y - pinch.mid.y);
      camera.zoomAt((pinch.zoom * dist) / (pinch.dist || 1), mid.x, mid.y);
      pinch.mid = mid;
      return;
    }
    if (pan) {
      camera.panBy(s.x - pan.last.x, s.y - pan.last.y);
      pan.last = s;
      return;
    }
    tool.move(e, p);
  });
  const end = (e) => {
    pointers.delete(e.pointerId);
    if (pinch) {
      if (pointers.size < 2) pinch = null;
      return;
    }
    if (pan) {
      pan = null;
      canvas.style.cursor = toolName === "hand" ? "grab" : tool.cursor;
      return;
    }
    const s = local(e);
    tool.up(e, camera.toWorld(s.x, s.y));
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", (e) => {
    pointers.delete(e.pointerId);
    pan = null;
    pinch = null;
    tool.cancel?.();
  });
  canvas.addEventListener("pointerleave", () => {
    cursor = null;
    sendPresence();
  });
  canvas.addEventListener("dblclick", (e) => {
    const s = local(e);
    const p = camera.toWorld(s.x, s.y);
    const obj = ctx.pick(p);
    if (obj && TEXT_FIELD[obj.kind]) editor.start(obj.id);
    else if (!obj && !ui.readOnly && ui.canAdd !== false) {
      // Double-click on empty space: a new note there (quick capture).
      tools.note.place(null, p);
    }
  });
  canvas.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const s = local(e);
      const lineScale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      const dx = e.deltaX * lineScale, dy = e.deltaY * lineScale;
      const mouseWheel = e.deltaMode !== 0 || (dx === 0 && Math.abs(dy) >= 50 && Number.isInteger(dy));
      if (e.ctrlKey || e.metaKey || mouseWheel) {
        const factor = Math.exp(-dy * (e.ctrlKey && !mouseWheel ? 0.01 : 0.0015));
        camera.zoomAt(camera.zoom * factor, s.x, s.y);
      } else {
        camera.panBy(-dx, -dy);
      }
    },
    { passive: false },
  );

  // --- keyboard ----------------------------------------------------------------------
  document.addEventListener("keydown", (e) => {
    if (e.key === " " && !isTextInput(e.target) && document.activeElement === canvas) {
      spaceDown = true;
      e.preventDefault();
      return;
    }
    if (isTextInput(e.target) || $("#name-dialog").open || $("#shortcuts-dialog").open) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    const onCanvas = document.activeElement === canvas || document.activeElement === document.body;
    if (mod && key === "z") {
      e.preventDefault();
      if (ui.readOnly) return;
      if (e.shiftKey ? undo.redo() : undo.undo()) announceUndo(e.shiftKey ? "announce.redo" : "announce.undo");
      return;
    }
    if (mod && key === "y") {
      e.preventDefault();
      if (!ui.readOnly && undo.redo()) announceUndo("announce.redo");
      return;
    }
    if (e.key === "?" || (e.shiftKey && key === "/")) {
      e.preventDefault();
      $("#shortcuts-dialog").showModal();
      return;
    }
    if (e.key === "Escape" && selbar.contains(document.activeElement)) {
      // From the selection toolbar: the selection goes (and its toolbar with it), and
      // the keyboard is back on the board, where it was before Tab.
      e.preventDefault();
      canvas.focus({ preventScroll: true });
      selection.clear();
      return;
    }
    if (!onCanvas) return;
    if (mod && key === "a") {
      e.preventDefault();
      selection.set(store.sorted().map((o) => o.id));
      ctx.announce(t("announce.selected", { n: selection.size }));
      return;
    }
    if (mod && key === "d") {
      e.preventDefault();
      if (!ui.readOnly) actions.duplicate();
      return;
    }
    if (mod && e.shiftKey && key === "l") {
      e.preventDefault();
      if (isFacilitator()) toggleLock();
      return;
    }
    if (mod && (e.key === "]" || e.key === "[")) {
      e.preventDefault();
      if (!ui.readOnly) e.key === "]" ? actions.toFront() : actions.toBack();
      return;
    }
    if (e.key === "Escape") {
      if (toolName !== "select") ctx.setTool("select");
      else selection.clear();
      tool.cancel?.();
      return;
    }
    if (e.key.startsWith("Arrow")) {
      e.preventDefault();
      const step = e.shiftKey ? 10 : 1;
      const dx = e.key === "ArrowLeft" ? -1 : e.key === "ArrowRight" ? 1 : 0;
      const dy = e.key === "ArrowUp" ? -1 : e.key === "ArrowDown" ? 1 : 0;
      if (selection.size && !ui.readOnly) {
        if (e.altKey) actions.resizeBy(dx * step * 10, dy * step * 10);
        else actions.nudge(dx * step, dy * step);
      } else camera.panBy(-dx * 60, -dy * 60);
      return;
    }
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      const n = actions.selected().filter((o) => !o.locked).length;
      if (!ui.readOnly && n) {
        actions.deleteSelection();
        ctx.announce(t("announce.deleted", { n }));
      }
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      const only = selection.size === 1 ? store.get([...selection][0]) : null;
      if (voting.active && only && only.kind === "note") return voting.toggle(only.id, e.shiftKey);
      if (BOX_TOOLS[toolName]) return placeAtCenter(toolName);
      if (selection.size === 1) editor.start([...selection][0]);
      return;
    }
    if (mod || e.altKey) return;
    if (e.key === "+" || e.key === "=") return camera.zoomAt(camera.zoom * 1.25);
    if (e.key === "-") return camera.zoomAt(camera.zoom / 1.25);
    if (e.key === "0") return camera.zoomAt(1);
    if (e.shiftKey && (e.key === "!" || e.code === "Digit1")) return zoomToFit();
    if (e.shiftKey && (e.key === "@" || e.code === "Digit2")) return zoomToSelection();
    if (e.shiftKey && key === "c") {
      const sel = [...selection];
      if (sel.length === 2 && !ui.readOnly) actions.connect(sel[0], sel[1]);
      return;
    }
    if (key === "i" && !ui.readOnly) return ctx.setTool("image");
    if (TOOL_KEYS[key] && !e.shiftKey) ctx.setTool(TOOL_KEYS[key]);
  });
  document.addEventListener("keyup", (e) => {
    if (e.key === " ") spaceDown = false;
  });

  // --- clipboard, paste and drop -----------------------------------------------------------
  const clipTarget = (e) => !isTextInput(e.target) && !$("#name-dialog").open;
  document.addEventListener("copy", (e) => {
    if (!clipTarget(e) || !selection.size) return;
    const text = actions.copy();
    e.clipboardData.setData("text/plain", text);
    e.preventDefault();
    ctx.announce(t("announce.copied", { n: selection.size }));
  });
  document.addEventListener("cut", (e) => {
    if (!clipTarget(e) || !selection.size || ui.readOnly) return;
    e.clipboardData.setData("text/plain", actions.copy());
    e.preventDefault();
    actions.deleteSelection();
  });
  document.addEventListener("paste", (e) => {
    if (!clipTarget(e) || ui.readOnly) return;
    const data = e.clipboardData;
    const files = [...(data?.files || [])].filter((f) => f.type.startsWith("image/"));
    e.preventDefault();
    const at = cursor ? { ...cursor } : camera.center();
    if (files.length) {
      for (const f of files) uploadImage(ctx, f, at);
      return;
    }
    const text = data?.getData("text/plain") || "";
    const objects = Actions.parseClip(text);
    const from = objects ? Actions.clipBoard(text) : null;
    if (objects && from && from !== boardId && objects.some((o) => o.kind === "image")) {
      // Images from another board are copied over first, then pasted.
      copyAssets(ctx, from, objects).then((ok) => {
        if (!ok) ctx.toast(t("error.image_copy"));
        actions.paste(objects);
      });
    } else if (objects) actions.paste(objects);
    else if (text.trim()) actions.create({ kind: "note", x: Math.round(at.x - 100), y: Math.round(at.y - 100), text: text.slice(0, 5000), color: ui.noteColor });
    else if (actions.clipboard) actions.paste(Actions.parseClip(actions.clipboard));
  });
  stage.addEventListener("dragover", (e) => {
    if (ui.readOnly) return;
    e.preventDefault();
    stage.classList.add("is-drop");
  });
  stage.addEventListener("dragleave", () => stage.classList.remove("is-drop"));
  stage.addEventListener("drop", (e) => {
    stage.classList.remove("is-drop");
    if (ui.readOnly) return;
    e.preventDefault();
    const s = local(e);
    const p = camera.toWorld(s.x, s.y);
    [...(e.dataTransfer?.files || [])].filter((f) => f.type.startsWith("image/")).forEach((f, i) => uploadImage(ctx, f, { x: p.x + i * 30, y: p.y + i * 30 }));
  });
  $("#image-input").addEventListener("change", (e) => {
    const files = [...e.target.files];
    e.target.value = "";
    files.forEach((f, i) => {
      const c = camera.center();
      uploadImage(ctx, f, { x: c.x + i * 30, y: c.y + i * 30 });
    });
  });

  // --- toolbar, selection bar, zoom and panels ---------------------------------------------
  for (const b of document.querySelectorAll("button[data-tool]")) {
    b.addEventListener("click", (e) => {
      const name = b.dataset.tool;
      // From the keyboard, a box tool places its object in the middle of the view at once.
      if (e.detail === 0 && BOX_TOOLS[name] && !ui.readOnly) {
        ctx.setTool(name);
        placeAtCenter(name);
        return;
      }
      ctx.setTool(name);
      if (name !== "image") canvas.focus({ preventScroll: true });
    });
  }
  const palette = (root, colors, onPick, current) => {
    root.replaceChildren(
      ...colors.map(([key, hex]) => {
        const b = h("button", { type: "button", class: "swatch", "aria-label": t(`color.${key}`), title: t(`color.${key}`), "aria-pressed": String(hex === current()) });
        b.style.backgroundColor = hex;
        b.addEventListener("click", () => {
          onPick(hex);
          for (const o of root.children) o.setAttribute("aria-pressed", String(o === b));
        });
        return b;
      }),
    );
  };
  const buildPalettes = () => {
    palette($("#note-palette"), NOTE_COLORS, (c) => {
      ui.noteColor = c;
      localStorage.setItem("samskap.noteColor", c);
    }, () => ui.noteColor);
    palette($("#ink-palette"), INK_COLORS, (c) => (ui.inkColor = c), () => ui.inkColor);
  };
  buildPalettes();

  const selbar = $("#selbar");
  const toolColumn = $("#toolbar");
  const isFacilitator = () => !!ctx.you && ctx.you.role === "facilitator";
  // Which selected objects are locked, as last shown on the toolbar.
  const lockKey = () => actions.selected().map((o) => (o.locked ? 1 : 0)).join("");
  let shownLockKey = "";
  function toggleLock() {
    const done = actions.toggleLock();
    if (done && done.n) ctx.announce(t(done.locked ? "announce.locked" : "announce.unlocked", { n: done.n }));
  }
  function updateSelbar() {
    const objs = actions.selected();
    shownLockKey = lockKey();
    selbar.hidden = !objs.length || ui.readOnly;
    if (selbar.hidden) return;
    const kinds = new Set(objs.map((o) => o.kind));
    let colors = INK_COLORS;
    if ([...kinds].every((k) => k === "note" || k === "shape")) colors = NOTE_COLORS;
    else if ([...kinds].every((k) => k === "frame")) colors = FRAME_COLORS;
    // Locked objects (a template's background) cannot be changed: with nothing else
    // selected, no buttons that would do nothing (or be refused).
    const changeable = objs.some((o) => !o.locked);
    const swatches = $("#selbar-colors");
    swatches.hidden = !changeable || (kinds.has("image") && kinds.size === 1);
    const first = objs[0].color;
    palette(swatches, colors, (c) => actions.setColor(c), () => first);
    $("#act-connect").hidden = objs.length !== 2;
    $("#act-edit").hidden = !(objs.length === 1 && TEXT_FIELD[objs[0].kind] && !objs[0].locked);
    for (const id of ["#act-front", "#act-back", "#act-delete"]) $(id).hidden = !changeable;
    // Lock / Unlock, for the facilitator only: Unlock when everything selected is locked.
    const lockBtn = $("#act-lock");
    lockBtn.hidden = !isFacilitator();
    const unlock = objs.every((o) => o.locked);
    const label = t(unlock ? "action.unlock" : "action.lock");
    lockBtn.dataset.i18nLabel = lockBtn.dataset.i18nTitle = unlock ? "action.unlock" : "action.lock";
    lockBtn.setAttribute("aria-label", label);
    lockBtn.title = label;
    lockBtn.querySelector(".lock-on").hidden = unlock;
    lockBtn.querySelector(".lock-off").hidden = !unlock;
    $("#selbar-count").textContent = t("selection.count", { n: objs.length });
    placeSelbar();
  }
  /**
   * The selection toolbar goes above what is drawn: the box around a rotated object's
   * turned corners, not its unrotated box, which a turned corner (and its resize
   * handle) sticks out of. The 16 px gap clears a handle, which reaches under 9 px past
   * a corner (3 px outside it, turned, plus half of its 8 px).
   */
  function placeSelbar() {
    if (selbar.hidden) return;
    const b = unionBounds(actions.selected().map((o) => drawnBounds(o, lookup)));
    if (!b) return;
    const top = camera.toScreen(b.x + b.w / 2, b.y);
    const bottom = camera.toScreen(b.x + b.w / 2, b.y + b.h);
    const left = camera.toScreen(b.x, b.y).x, right = camera.toScreen(b.x + b.w, b.y).x;
    // Out of view (panned away, brought to a frame): no toolbar floating over the tools.
    const away = bottom.y < 0 || top.y > camera.height || right < 0 || left > camera.width;
    selbar.style.visibility = away ? "hidden" : "";
    if (away) return;
    const w = selbar.offsetWidth, hgt = selbar.offsetHeight;
    let y = top.y - hgt - 16;
    if (y < 8) y = Math.min(bottom.y + 16, camera.height - hgt - 8);
    // Clear of the tool column (when the board is wide enough for both).
    const toolsRight = toolColumn.hidden ? 0 : toolColumn.getBoundingClientRect().right - stage.getBoundingClientRect().left;
    const minX = toolsRight + 8 + w <= camera.width - 8 ? toolsRight + 8 : 8;
    const x = Math.max(minX, Math.min(camera.width - w - 8, top.x - w / 2));
    selbar.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }
  const act = (id, fn) => $(id).addEventListener("click", fn);
  act("#act-edit", () => selection.size === 1 && editor.start([...selection][0]));
  act("#act-duplicate", () => actions.duplicate());
  act("#act-lock", toggleLock);
  act("#act-front", () => actions.toFront());
  act("#act-back", () => actions.toBack());
  act("#act-connect", () => {
    const sel = [...selection];
    if (sel.length === 2) actions.connect(sel[0], sel[1]);
  });
  act("#act-delete", () => {
    const n = selection.size;
    actions.deleteSelection();
    ctx.announce(t("announce.deleted", { n }));
    canvas.focus();
  });
  act("#zoom-in", () => camera.zoomAt(camera.zoom * 1.25));
  act("#zoom-out", () => camera.zoomAt(camera.zoom / 1.25));
  act("#zoom-fit", zoomToFit);
  act("#zoom-selection", zoomToSelection);
  act("#zoom-level", () => camera.zoomAt(1));
  act("#undo-btn", () => undo.undo() && announceUndo("announce.undo"));
  act("#redo-btn", () => undo.redo() && announceUndo("announce.redo"));
  act("#shortcuts-btn", () => $("#shortcuts-dialog").showModal());
  act("#shortcuts-close", () => $("#shortcuts-dialog").close());
  act("#rename-btn", async () => {
    localStorage.removeItem("samskap.name");
    const n = await askName();
    conn.name = n;
    conn.ws?.close(4000, "rename");
  });
  const facBtn = $("#facilitate-btn");
  act("#facilitate-btn", () => {
    const aside = $("#facilitate");
    aside.hidden = !aside.hidden;
    facBtn.setAttribute("aria-expanded", String(!aside.hidden));
    document.body.classList.toggle("has-facilitate", !aside.hidden);
    if (!aside.hidden) {
      panel?.render();
      breakouts?.load();
      $("#fac-heading").focus();
    }
    renderer.resize();
  });
  const outlineBtn = $("#outline-btn");
  act("#outline-btn", () => {
    const panel = $("#outline");
    panel.hidden = !panel.hidden;
    outlineBtn.setAttribute("aria-expanded", String(!panel.hidden));
    document.body.classList.toggle("has-outline", !panel.hidden);
    if (!panel.hidden) {
      outline.render();
      $("#outline-heading").focus();
    }
    renderer.resize();
  });
  document.addEventListener("langchange", () => {
    applyDom();
    buildPalettes();
    updateSelbar();
    presence.changed();
    outline.render();
    showStatus();
    applyAccess();
    panel?.render();
    exportMenu.describe();
  });

  // For tests and the bench: a read-only handle on the parts.
  window.samskap = { store, conn, camera, selection, actions, undo, renderer, presence, editor, ctx, zoomToFit, session, follow, voting };

  ctx.setTool("select");
  renderer.resize();
  showStatus();
  conn.connect();
}

main();
