"""Routing: which department and which service item a request belongs to."""

from bot.routing.router import RankedItem, Route, route

__all__ = ["RankedItem", "Route", "route"]
