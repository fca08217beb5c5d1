"""``action_respond``: turns the latest message into an answer through bot.conversation.dialogue.

Two fault paths are handled here (#15): a conversation whose remembered state was lost (a session that
expired, a tracker store that fell back to memory while the database was down) continues its matter
numbering from the records instead of starting again at 1 and overwriting an earlier consultation; and a
record quota that is reached gets a plain answer instead of an error."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.adapters.startup import prepare_action_server
from bot.analysis import analyse
from bot.catalog import get_catalog
from bot.conversation.dialogue import Conversation, DialogueState, Turn, respond
from bot.conversation.replies import Reply, records_limited, render_text
from bot.policy import get_policy
from bot.records.clock import clock_from_env
from bot.records.db import make_engine
from bot.records.desk import ServiceDesk
from bot.records.quota import RecordLimit, acting_for
from bot.records.store import MatterRef, RecordStore
from bot.vocabulary import CLIENT_KEY


def _client(tracker: Tracker) -> str | None:
    """The hashed client address the door put in the latest message's metadata (bot.throttle)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            value = (event.get("metadata") or {}).get(CLIENT_KEY)
            return value if isinstance(value, str) else None
    return None


class ActionRespond(Action):
    def __init__(self) -> None:
        # Warm up and connect to the records database when the action server starts, not on the first message.
        prepare_action_server()
        store = RecordStore(make_engine(), clock_from_env())
        self.desk = ServiceDesk(store, get_policy())

    def name(self) -> str:
        return "action_respond"

    def _turn(self, tracker: Tracker) -> Turn:
        """One turn, records included; synchronous database work, run off the event loop."""
        catalog = get_catalog()
        state = DialogueState.from_slot(tracker.get_slot("dialogue"))
        who = Conversation(tracker.sender_id, tracker.get_latest_input_channel() or "rest")
        last, digest = self.desk.store.last_matter(who.conversation_id)
        if state.matter < last:  # the state was lost: never reuse a matter number that has a record, but
            # recognise a retry of the request that started the last one (it continues that matter)
            state = DialogueState(town=state.town, matter=last, last_digest=digest)
        analysis = analyse(tracker.latest_message, catalog, town_hint=None)
        with acting_for(_client(tracker)):
            turn = respond(analysis, state, catalog, self.desk, who)
        if turn.matter is not None:
            ref = MatterRef(who.conversation_id, who.channel, turn.state.matter)
            self.desk.record_matter(ref, turn.matter, analysis.text, turn.state.last_digest)
        return turn

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            turn = await asyncio.to_thread(self._turn, tracker)
        except RecordLimit:
            self._say(dispatcher, records_limited())
            return []
        for out in turn.outputs:
            dispatcher.utter_message(
                text=render_text(out),
                buttons=[{"title": b.title, "payload": b.payload} for b in out.buttons],
                json_message=out.as_dict(),
            )
        events: list[EventType] = [SlotSet("dialogue", turn.state.to_slot())]
        return events

    @staticmethod
    def _say(dispatcher: CollectingDispatcher, out: Reply) -> None:
        dispatcher.utter_message(
            text=render_text(out),
            buttons=[{"title": b.title, "payload": b.payload} for b in out.buttons],
            json_message=out.as_dict(),
        )
