"""Routing: which department and which service item a request belongs to."""

from bot.routing.router import CONVERSATION_TYPES, GOVERNMENT_TYPES, RankedItem, Route, route

__all__ = ["CONVERSATION_TYPES", "GOVERNMENT_TYPES", "RankedItem", "Route", "route"]
