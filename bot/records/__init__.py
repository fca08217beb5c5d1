"""Persistence of the first-consultation unit's work: consultations, numbered records, 好差评.

Plain SQLAlchemy Core on one engine per process (``db.make_engine``); schema changes go through
Alembic migrations (``migrate.py``). Nothing here imports Rasa.
"""
