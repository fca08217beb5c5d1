"""The request types of ../shared/spec/api.md, in one place."""

from __future__ import annotations

GOVERNMENT_TYPES = frozenset(
    {
        "consult_item",
        "query_progress",
        "dispute_rejection",
        "complaint",
        "report_issue",
        "book_appointment",
        "online_help",
    }
)
CONVERSATION_ACTS = frozenset({"greet", "goodbye", "thank", "affirm", "deny"})
NON_GOVERNMENT_TYPES = CONVERSATION_ACTS | {"out_of_scope", "request_human"}
REQUEST_TYPES = GOVERNMENT_TYPES | NON_GOVERNMENT_TYPES
