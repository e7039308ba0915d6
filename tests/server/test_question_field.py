"""The idea template's question is written on the board, not in a locked box (issue 19).

A template object marked `writable: true` is inserted unlocked: a participant's edit
of the question is accepted, while the template's labels around it stay locked.
"""

from __future__ import annotations

from typing import Any

from tests.support.servers import LiveServer


def _update(object_id: str, text: str) -> dict[str, Any]:
    return {"op": "update", "id": object_id, "set": {"text": text}}


async def test_the_inserted_question_is_writable_and_the_labels_stay_locked(
    live_server: LiveServer,
) -> None:
    board = await live_server.create_board("Samling 3", template="power-interest-grid")
    boss = await live_server.join(board, "facilitator", "Fasilitator")
    kari = await live_server.join(board, "participant", "Kari")
    reply = await boss.request(
        {"type": "facilitate", "action": "insert_template", "template": "brainstorming"}
    )
    assert reply["type"] == "session", reply

    def made_question(message: dict[str, Any]) -> bool:
        return any(
            op["op"] == "create" and op["object"]["id"].endswith("-question-text")
            for op in message["ops"]
        )

    await kari.expect("ops", made_question)
    inserted = {o["id"]: o for o in kari.objects.values() if o["id"].endswith("-question-text")}
    assert len(inserted) == 1, sorted(kari.objects)
    (question,) = inserted.values()
    assert question["locked"] is False
    assert question["text"] == "Skriv spørsmålet her …"

    ack = await kari.ops([_update(question["id"], "Hvordan kan flere unge låne bøker?")])
    assert ack["type"] == "ack", ack
    assert kari.objects[question["id"]]["text"] == "Hvordan kan flere unge låne bøker?"

    prefix = question["id"].removesuffix("question-text")
    for label in ("title", "question", "parking-hint", "rules-list"):
        assert kari.objects[prefix + label]["locked"] is True, label
        refused = await kari.ops([_update(prefix + label, "Tagget")])
        assert refused["type"] == "error" and refused["code"] == "forbidden", refused
