"""``action_respond``: turns the latest message into an answer through bot.dialogue."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.analysis import analyse
from bot.catalog import get_catalog
from bot.dialogue import DialogueState, respond
from bot.replies import render_text
from bot.routing.item_index import index_for


def _state(tracker: Tracker) -> DialogueState:
    clar = tracker.get_slot("clarifications")
    return DialogueState(
        pending_item=tracker.get_slot("pending_item"),
        town=tracker.get_slot("town"),
        clarifications=int(clar or 0),
    )


class ActionRespond(Action):
    def __init__(self) -> None:
        # Load and index the catalog when the action server starts, not on the first message.
        index_for(get_catalog())

    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        catalog = get_catalog()
        state = _state(tracker)
        analysis = analyse(tracker.latest_message, catalog, town_hint=None)
        turn = respond(analysis, state, catalog)
        for out in turn.outputs:
            dispatcher.utter_message(
                text=render_text(out),
                buttons=[{"title": b.title, "payload": b.payload} for b in out.buttons],
                json_message=out.as_dict(),
            )
        events: list[EventType] = [
            SlotSet("pending_item", turn.state.pending_item),
            SlotSet("town", turn.state.town),
            SlotSet("clarifications", float(turn.state.clarifications)),
        ]
        return events
