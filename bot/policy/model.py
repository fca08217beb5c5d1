"""The escalation policy as typed data, loaded from YAML and checked for consistency."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import yaml_files
from bot.vocabulary import GROUNDS, TIERS

POLICY_FILE = Path(__file__).resolve().parent / "escalation.yaml"
REQUIRED_RULES = ("R5", "R6", "R7", "R8", "R9", "R10")


class PolicyError(ValueError):
    """The rules file is inconsistent; the message lists every problem."""


@dataclass(frozen=True)
class Ground:
    id: str
    name: str
    lowest_tier: int
    meaning: str


@dataclass(frozen=True)
class Deadline:
    acknowledge: int
    decide: int


@dataclass(frozen=True)
class Policy:
    version: str
    tier_names: dict[int, str]
    tier_who: dict[int, str]
    grounds: dict[str, Ground]
    unlisted_material_ground: str
    default_rejecting_tier: int
    repeat_rejections: int
    key_project_bump: int
    deadlines: dict[int, Deadline]
    remedies: tuple[str, str]
    rule_text: dict[str, str]
    coordination_days: int
    follow_up: Deadline


def parse_policy(doc: Any) -> Policy:
    errors: list[str] = []
    if not isinstance(doc, dict):
        raise PolicyError("the policy file must be a mapping")

    def need(key: str, kind: type) -> Any:
        value = doc.get(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
            errors.append(f"'{key}' must be a {kind.__name__}")
            return kind()
        return value

    tiers = need("tiers", dict)
    if sorted(tiers) != list(TIERS):
        errors.append(f"tiers must be exactly {[int(t) for t in TIERS]}, got {sorted(tiers)}")
    names = {int(k): str((v or {}).get("name", "")) for k, v in tiers.items() if isinstance(v, dict)}
    who = {int(k): str((v or {}).get("who", "")) for k, v in tiers.items() if isinstance(v, dict)}
    grounds: dict[str, Ground] = {}
    for gid, g in need("grounds", dict).items():
        if not isinstance(g, dict) or g.get("lowest_tier") not in TIERS or not g.get("name"):
            errors.append(f"ground {gid} needs a name and a lowest_tier in {[int(t) for t in TIERS]}")
            continue
        grounds[str(gid)] = Ground(str(gid), str(g["name"]), int(g["lowest_tier"]), str(g.get("meaning", "")))
    if set(grounds) != set(GROUNDS) and not any(e.startswith("ground ") for e in errors):
        errors.append(f"grounds must be exactly {[g.value for g in GROUNDS]}, got {sorted(grounds)}")
    unlisted = need("unlisted_material_ground", str)
    if unlisted not in grounds:
        errors.append(f"unlisted_material_ground '{unlisted}' is not a ground")
    default_tier = need("default_rejecting_tier", int)
    if default_tier not in TIERS:
        errors.append("default_rejecting_tier must be a tier")
    repeat = need("repeat_rejections", int)
    if repeat < 2:
        errors.append("repeat_rejections must be at least 2")
    bump = need("key_project_bump", int)
    if bump not in (0, 1, 2, 3):
        errors.append("key_project_bump must be 0-3")
    deadlines: dict[int, Deadline] = {}
    for tier, d in need("deadlines", dict).items():
        ok = isinstance(d, dict) and all(isinstance(d.get(k), int) and d[k] > 0 for k in ("acknowledge", "decide"))
        if not ok or int(tier) not in TIERS[1:]:
            errors.append(f"deadline for tier {tier} needs positive acknowledge and decide days")
            continue
        if d["acknowledge"] > d["decide"]:
            errors.append(f"deadline for tier {tier}: acknowledge after decide")
        deadlines[int(tier)] = Deadline(d["acknowledge"], d["decide"])
    if sorted(deadlines) != [2, 3, 4]:
        errors.append("deadlines are needed for tiers 2, 3 and 4")
    coordination_days = need("coordination_working_days", int)
    if coordination_days < 1:
        errors.append("coordination_working_days must be at least 1")
    fu = need("follow_up", dict)
    if not all(isinstance(fu.get(k), int) and fu[k] > 0 for k in ("acknowledge", "decide")):
        errors.append("follow_up needs positive acknowledge and decide days")
    elif fu["acknowledge"] > fu["decide"]:
        errors.append("follow_up: acknowledge after decide")
    remedies = need("remedies", dict)
    rules = need("rules", dict)
    for rid in REQUIRED_RULES:
        if not rules.get(rid):
            errors.append(f"rule {rid} needs its plain-Chinese explanation")
    if errors:
        raise PolicyError("escalation policy is invalid:\n  " + "\n  ".join(errors))
    return Policy(
        version=str(doc.get("version", "")),
        tier_names=names,
        tier_who=who,
        grounds=grounds,
        unlisted_material_ground=unlisted,
        default_rejecting_tier=default_tier,
        repeat_rejections=repeat,
        key_project_bump=bump,
        deadlines=deadlines,
        remedies=(str(remedies.get("reconsideration", "")), str(remedies.get("litigation", ""))),
        rule_text={str(k): str(v) for k, v in rules.items()},
        coordination_days=coordination_days,
        follow_up=Deadline(int(fu.get("acknowledge") or 1), int(fu.get("decide") or 1)),
    )


@lru_cache(maxsize=2)
def get_policy(path: Path = POLICY_FILE) -> Policy:
    with path.open(encoding="utf-8") as f:
        return parse_policy(yaml_files.safe_load(f))
