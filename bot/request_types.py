"""The request types of ../shared/spec/api.md, in one place, in the contract's order (tables and charts
read the same way as the contract), with the short Chinese names staff read in reports."""

from __future__ import annotations

from bot.vocabulary import Wire


class RequestType(Wire):
    CONSULT_ITEM = "consult_item"
    QUERY_PROGRESS = "query_progress"
    DISPUTE_REJECTION = "dispute_rejection"
    COMPLAINT = "complaint"
    REPORT_ISSUE = "report_issue"
    BOOK_APPOINTMENT = "book_appointment"
    ONLINE_HELP = "online_help"
    REQUEST_HUMAN = "request_human"
    GREET = "greet"
    GOODBYE = "goodbye"
    THANK = "thank"
    AFFIRM = "affirm"
    DENY = "deny"
    OUT_OF_SCOPE = "out_of_scope"

    @property
    def display(self) -> str:
        return REQUEST_TYPE_NAMES[self]


RT = RequestType
# Short Chinese names, for charts and tables read by the service centre's staff.
REQUEST_TYPE_NAMES: dict[str, str] = {
    RT.CONSULT_ITEM: "咨询事项",
    RT.QUERY_PROGRESS: "查询进度",
    RT.DISPUTE_REJECTION: "退件异议",
    RT.COMPLAINT: "投诉",
    RT.REPORT_ISSUE: "反映问题",
    RT.BOOK_APPOINTMENT: "预约",
    RT.ONLINE_HELP: "网办求助",
    RT.REQUEST_HUMAN: "转人工",
    RT.GREET: "问候",
    RT.GOODBYE: "道别",
    RT.THANK: "致谢",
    RT.AFFIRM: "肯定",
    RT.DENY: "否定",
    RT.OUT_OF_SCOPE: "非政务",
}

GOVERNMENT_ORDER: tuple[str, ...] = (
    RT.CONSULT_ITEM,
    RT.QUERY_PROGRESS,
    RT.DISPUTE_REJECTION,
    RT.COMPLAINT,
    RT.REPORT_ISSUE,
    RT.BOOK_APPOINTMENT,
    RT.ONLINE_HELP,
)
CONVERSATION_ORDER: tuple[str, ...] = (RT.GREET, RT.GOODBYE, RT.THANK, RT.AFFIRM, RT.DENY)
REQUEST_TYPE_ORDER: tuple[str, ...] = (*GOVERNMENT_ORDER, RT.REQUEST_HUMAN, *CONVERSATION_ORDER, RT.OUT_OF_SCOPE)

GOVERNMENT_TYPES = frozenset(GOVERNMENT_ORDER)
CONVERSATION_ACTS = frozenset(CONVERSATION_ORDER)
NON_GOVERNMENT_TYPES = CONVERSATION_ACTS | {RT.OUT_OF_SCOPE, RT.REQUEST_HUMAN}
REQUEST_TYPES = GOVERNMENT_TYPES | NON_GOVERNMENT_TYPES
