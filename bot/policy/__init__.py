"""否决事项提级管理: the escalation policy (data) and its engine (pure Python)."""

from bot.policy.engine import Decision, Facts, decide
from bot.policy.model import Policy, PolicyError, get_policy, parse_policy

__all__ = ["Decision", "Facts", "Policy", "PolicyError", "decide", "get_policy", "parse_policy"]
