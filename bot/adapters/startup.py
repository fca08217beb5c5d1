"""Start-up work for the two servers, in one place: Rasa patches, log masking and model warm-up.

Rasa offers no start-up hook of its own besides loading the channels, so every channel of ours calls
:func:`prepare_rasa_server` from its ``blueprint()`` (idempotent: the first one does the work). The
action server calls :func:`prepare_action_server` when it loads the actions.
"""

from __future__ import annotations

from functools import lru_cache

from bot.catalog import get_catalog
from bot.policy.fact_model import get_fact_model
from bot.records.masking import install_log_masking
from bot.routing.item_index import index_for


def _warm_up() -> None:
    """Load and index the catalog and train the dispute-fact model (~1 s) now, not on the first message."""
    index_for(get_catalog())
    get_fact_model()


@lru_cache(maxsize=1)
def prepare_rasa_server() -> None:
    # Imported here, not at the top: it imports Rasa itself (and TensorFlow with it), which the action
    # server does not need: importing it there cost 4.8 s of start-up and about 400 MB (#16).
    from bot.adapters import rasa_speedups

    install_log_masking()  # before anything is logged: applicants' numbers never reach the log unmasked
    rasa_speedups.install()
    _warm_up()


@lru_cache(maxsize=1)
def prepare_action_server() -> None:
    install_log_masking()
    _warm_up()
