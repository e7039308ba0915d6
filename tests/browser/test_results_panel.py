"""Vote results that stay true (issue 19, item 8): the results are a panel beside the
board that never covers a note voted on (on a laptop and a 768 x 1024 touch tablet),
the ranked list says each note's current text (a rename shows at once), and the panel
closes when the next agenda step starts. Before, a card over the board's top right hid
notes, kept a renamed note's old text and stayed into the next step."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

# Three notes along the top of Ola's view, the last near the right edge (where a card
# over the board's top right would lie).
NOTES = """() => {
  const s = window.samskap, cam = s.camera;
  return [[0.15, 'Lesesirkel'], [0.5, 'Språkkafé'], [0.8, 'Leksehjelp']].map(([fx, text]) => {
    const p = cam.toWorld(cam.width * fx, cam.height * 0.15);
    return s.actions.create({ kind: 'note', x: p.x, y: p.y, w: 200, h: 200, text }, { select: false }).id;
  });
}"""

# Voted notes on screen (page px) that the results panel overlaps or that are off the board.
HIDDEN = """(ids) => {
  const s = window.samskap, cam = s.camera;
  const canvas = document.querySelector('#board-canvas').getBoundingClientRect();
  const panel = document.querySelector('#results').getBoundingClientRect();
  return ids.filter((id) => {
    const o = s.store.get(id);
    const l = canvas.left + (o.x - cam.x) * cam.zoom, t = canvas.top + (o.y - cam.y) * cam.zoom;
    const r = l + o.w * cam.zoom, b = t + o.h * cam.zoom;
    const under = l < panel.right && panel.left < r && t < panel.bottom && panel.top < b;
    const off = l < canvas.left || r > canvas.right || t < canvas.top || b > canvas.bottom;
    return under || off;
  });
}"""


async def test_results_beside_the_board_live_and_closed_by_the_next_step(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Idémyldring", template="brainstorming", locale="nb")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari", viewport=(1440, 900))
    ola = await open_board(browser, board["links"]["participant"], "Ola", viewport=(1440, 900))
    nora = await open_board(
        browser, board["links"]["participant"], "Nora", viewport=(768, 1024), has_touch=True
    )
    ids = await ola.page.evaluate(NOTES)
    await ola.settled()
    # Step 6 opens the vote (three each, up to three per note); everyone votes.
    await kari.page.evaluate("window.samskap.session.facilitate('agenda_step', {step: 5})")
    await ola.page.wait_for_selector("#banner-vote:not([hidden])", timeout=3000)
    for person, picks in ((ola, [0, 1, 2]), (nora, [2, 2, 1])):
        await person.wait(f"{ids!r}.every(id => objs.some(o => o.id === id))", 3000)
        for i in picks:
            await person.page.evaluate("(id) => window.samskap.session.vote(id)", ids[i])
        await person.page.wait_for_function("() => window.samskap.session.remaining === 0")
    # Step 7 ("result") closes it: the results show, beside the notes, never over them.
    await kari.page.evaluate("window.samskap.session.facilitate('agenda_step', {step: 6})")
    for person in (ola, nora, kari):
        await person.page.wait_for_selector("#results:not([hidden])", timeout=3000)
        await person.page.wait_for_timeout(200)  # the board has taken its new width
        assert await person.page.evaluate(HIDDEN, ids) == []
    rows = await nora.page.locator("#results-list li").all_inner_texts()
    assert "Leksehjelp" in rows[0] and "3" in rows[0], rows

    # A rename shows in everyone's list at once.
    await ola.page.evaluate(
        "(id) => window.samskap.actions.update(id, { text: 'Leksehjelp med frivillige' })", ids[2]
    )
    for person in (nora, kari, ola):
        await person.page.wait_for_function(
            """() => document.querySelector('#results-list li .result-text').textContent
                     === 'Leksehjelp med frivillige'""",
            timeout=3000,
        )

    # A page opened again during the step shows them too.
    await ola.page.reload()
    await ola.page.wait_for_selector("#results:not([hidden])", timeout=5000)

    # The next agenda step starts: the results close for everyone, and stay closed on a
    # page opened after that (the vote says which step it closed in).
    await kari.page.evaluate("window.samskap.session.facilitate('agenda_step', {step: 0})")
    for person in (ola, nora, kari):
        await person.page.wait_for_selector("#results", state="hidden", timeout=3000)
    await nora.page.reload()
    await nora.page.wait_for_function(
        "() => window.samskap && window.samskap.store.loaded && window.samskap.session.state.step === 0",
        timeout=10000,
    )
    await nora.page.wait_for_timeout(300)
    assert await nora.page.locator("#results").is_hidden()
    for person in (kari, ola, nora):
        assert not person.errors, person.errors
