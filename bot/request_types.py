"""The request types of ../shared/spec/api.md, in one place, in the contract's order (tables and charts
read the same way as the contract)."""

from __future__ import annotations

GOVERNMENT_ORDER = (
    "consult_item",
    "query_progress",
    "dispute_rejection",
    "complaint",
    "report_issue",
    "book_appointment",
    "online_help",
)
CONVERSATION_ORDER = ("greet", "goodbye", "thank", "affirm", "deny")
REQUEST_TYPE_ORDER = (*GOVERNMENT_ORDER, "request_human", *CONVERSATION_ORDER, "out_of_scope")

GOVERNMENT_TYPES = frozenset(GOVERNMENT_ORDER)
CONVERSATION_ACTS = frozenset(CONVERSATION_ORDER)
NON_GOVERNMENT_TYPES = CONVERSATION_ACTS | {"out_of_scope", "request_human"}
REQUEST_TYPES = GOVERNMENT_TYPES | NON_GOVERNMENT_TYPES
