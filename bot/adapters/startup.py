"""Start-up work for the two servers, in one place: Rasa patches, log masking and model warm-up.

Rasa offers no start-up hook of its own besides loading the channels, so every channel of ours calls
:func:`prepare_rasa_server` from its ``blueprint()`` (idempotent: the first one does the work). The
action server calls :func:`prepare_action_server` when it loads the actions.

With several Sanic workers (SHOUZI_WORKERS) the channels are loaded in the server's first process, which
then forks the workers: what :func:`prepare_rasa_server` loads is shared by them, and each worker, once
started, is bound to die with that first process (:func:`bind_to_server`).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from functools import lru_cache
from typing import Any

import jieba

from bot.catalog import get_catalog
from bot.nlu.dictionary import dictionary_entries
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
    _share_with_workers()


def _share_with_workers() -> None:
    """Loads what every worker needs before Sanic forks them, so that their memory shares it.

    jieba's dictionary with the catalog's words (each worker's tokenizer then finds every word already
    there); then the objects made so far are moved out of the garbage collector's reach, whose passes
    would otherwise write to, and so copy into each worker, every page they visit."""
    jieba.initialize()
    for word, freq, tag in dictionary_entries(get_catalog()):
        jieba.add_word(word, freq, tag)
    gc.freeze()


_PR_SET_PDEATHSIG = 1


@lru_cache(maxsize=1)
def _die_with_parent() -> None:
    """In a Sanic worker: the kernel kills it when the server's first process dies (even by kill -9), so a
    restarted server never finds the old workers still holding its port. No-op in a single process."""
    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent.pid:  # the parent died before the call took effect
        os._exit(1)


def bind_to_server(bp: Any) -> None:
    """Registers :func:`_die_with_parent` to run as each worker starts (every channel calls this; once is enough)."""

    @bp.listener("before_server_start")
    async def bind(app: Any, loop: Any) -> None:
        _die_with_parent()


@lru_cache(maxsize=1)
def prepare_action_server() -> None:
    install_log_masking()
    _warm_up()
