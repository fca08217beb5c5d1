"""Typed records of the service catalog: departments, towns, service items and problem topics.

Plain frozen dataclasses: the loader builds them from YAML after validation, and everything else
(matching, routing, replies) reads them without caring where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.request_types import RequestType

ITEM_KINDS = (
    "行政许可",
    "行政确认",
    "行政给付",
    "行政裁决",
    "行政奖励",
    "行政征收",
    "其他行政权力",
    "公共服务",
)
ONLINE_MODES = ("全程网办", "网上预审", "仅限线下")
PLATFORMS = (
    "广东政务服务网",
    "粤省事",
    "粤商通",
    "广东省电子税务局",
    "个人所得税APP",
    "交管12123",
    "国家医保服务平台",
    "粤智助",
    "佛山市住房公积金网上服务平台",
    "全国排污许可证管理信息平台",
    "建设项目环境影响登记表备案系统",
    "广东省固体废物环境监管信息平台",
    "中国教师资格网",
    "国家开发银行学生在线服务系统",
    "国家医疗机构、医师、护士电子化注册系统",
)
REQUEST_TYPES_WITH_DEPARTMENT: tuple[str, ...] = (
    RequestType.CONSULT_ITEM,
    RequestType.COMPLAINT,
    RequestType.REPORT_ISSUE,
)


@dataclass(frozen=True)
class Window:
    """A counter or zone where a department's matters are received."""

    name: str
    location: str


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    short: str
    aliases: tuple[str, ...]
    scope: str
    windows: tuple[Window, ...]
    address: str
    phone: str | None
    hours: str
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Town:
    """One of the seven towns/streets and its administrative service centre."""

    code: str
    name: str
    aliases: tuple[str, ...]
    centre: str
    address: str
    hours: str
    phone: str | None
    places: tuple[str, ...] = ()  # villages and communities, for recognising the town in text
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """A service item (政务服务事项) as an applicant needs to know it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    department: str
    section: str
    kind: str
    level: str  # "district" or "town"
    towns: tuple[str, ...]  # town names whose centres accept it; empty for district-only items
    legal_days: int | None
    legal_unit: str  # "工作日" (working days) or "日" where the law counts calendar days
    promised_days: int | None
    instant: bool
    online: str
    platforms: tuple[str, ...]
    materials: tuple[str, ...]
    commitment: bool
    e_license: bool
    theme: str | None
    fee: str
    basis: str | None
    unverified: tuple[str, ...] = ()

    @property
    def handled_in_towns(self) -> bool:
        return self.level == "town" and bool(self.towns)


@dataclass(frozen=True)
class Problem:
    """A reportable problem or complaint topic and the department that acts on it."""

    id: str
    name: str
    request_type: str
    department: str
    also: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ThemeStep:
    """One item of a whole matter: what must be done before it, who applies, when it applies at all."""

    item: str
    after: tuple[str, ...] = ()  # item ids of earlier steps of the same theme
    who: str = "申请人本人"
    when: str | None = None  # only in this situation ("贷款买房的"); None: always
    known_as: tuple[str, ...] = ()  # what applicants call its result ("营业执照"), to hear "已经办好了"


@dataclass(frozen=True)
class Theme:
    """A whole matter (一件事一次办): every item it takes, in order, and how to do them at once.

    Data, not code: the district adds themes in ``themes.yaml`` and the loader checks them."""

    id: str
    name: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]  # regular expressions over simplified text
    summary: str
    window: str
    online: str
    together: str
    steps: tuple[ThemeStep, ...]
    unverified: tuple[str, ...] = ()

    def step(self, item_id: str) -> ThemeStep | None:
        return next((s for s in self.steps if s.item == item_id), None)


@dataclass(frozen=True, eq=False)  # hashed by identity: one catalog per load
class Catalog:
    departments: dict[str, Department]
    towns: dict[str, Town]
    items: dict[str, Item]
    problems: dict[str, Problem]
    district_centre: Town
    hotline: str = "12345"
    sources: dict[str, str] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)  # by id, in file order
