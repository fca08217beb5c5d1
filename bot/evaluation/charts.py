"""PNG charts for docs/evaluation.md, with Chinese labels the service centre's staff can read.

Rendered with matplotlib's Agg backend (no display needed). Chinese needs a CJK font: the Debian
package fonts-wqy-microhei is looked for first; without any CJK font the charts are still written,
with a warning, because the numbers matter more than the labels.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager

from bot.evaluation.report import RequestTypeScores, RoutingScores
from bot.request_types import REQUEST_TYPE_NAMES

# Family names as fontconfig reports them; the first one installed wins.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
# Font file names (lower case, without "-" and "_") to register when matplotlib's cached font list
# predates the font's installation.
CJK_FILE_HINTS = ("wqymicrohei", "wqyzenhei", "notosanscjk", "notosanssc", "sourcehansans", "simhei", "msyh")


def find_cjk_font() -> str | None:
    """The family name of an installed CJK font, registering its file with matplotlib if needed."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    for path in font_manager.findSystemFonts():
        if any(hint in Path(path).name.lower().replace("-", "").replace("_", "") for hint in CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
            name = font_manager.FontProperties(fname=path).get_name()
            if name:
                return str(name)
    return None


def use_cjk_font() -> bool:
    """Makes matplotlib draw Chinese; warns (once per call) and returns False if it cannot."""
    family = find_cjk_font()
    if family is None:
        warnings.warn(
            "no CJK font found (install fonts-wqy-microhei): Chinese labels in the charts will not render",
            stacklevel=2,
        )
        return False
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [family, *plt.rcParams["font.sans-serif"]]
    plt.rcParams["axes.unicode_minus"] = False
    return True


def _type_label(code: str, cjk: bool) -> str:
    return f"{REQUEST_TYPE_NAMES[code]}\n{code}" if cjk and code in REQUEST_TYPE_NAMES else code


def confusion_chart(scores: RequestTypeScores, out: Path, cjk: bool | None = None) -> Path:
    """Heat map of labelled (rows) against predicted (columns) request types, counts in the cells."""
    cjk = use_cjk_font() if cjk is None else cjk
    rows, cols = scores.rows, scores.columns
    # Row-normalised shading, so a small class's confusions are as visible as a large one's.
    shade = [[v / max(1, sum(row)) for v in row] for row in scores.matrix]
    fig, ax = plt.subplots(figsize=(1.0 * len(cols) + 3, 0.75 * len(rows) + 2.5), dpi=120)
    ax.imshow(shade, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([_type_label(c, cjk) for c in cols], fontsize=9)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_type_label(r, cjk) for r in rows], fontsize=9)
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    for i, row in enumerate(scores.matrix):
        for j, v in enumerate(row):
            if v:
                ax.text(
                    j, i, str(v), ha="center", va="center", fontsize=9, color="white" if shade[i][j] > 0.5 else "black"
                )
    ax.set_xlabel("预测类型 / predicted" if cjk else "predicted")
    ax.set_ylabel("标注类型 / labelled" if cjk else "labelled")
    title = "诉求类型混淆矩阵（留出集）" if cjk else "Request types, held-out set"
    ax.set_title(f"{title}  n={scores.n}  macro-F1={scores.macro_f1:.3f}", fontsize=11)
    fig.tight_layout()
    return _save(fig, out)


def department_chart(
    scores: RoutingScores, out: Path, names: Mapping[str, str] | None = None, cjk: bool | None = None
) -> Path:
    """Horizontal bars of top-1 per department, best at the top, with hits/n beside each bar."""
    cjk = use_cjk_font() if cjk is None else cjk
    names = names or {}
    depts = sorted(scores.departments, key=lambda d: (d.rate, d.code))
    labels: Sequence[str] = [f"{names[d.code]} {d.code}" if cjk and d.code in names else d.code for d in depts]
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(depts) + 1.6), dpi=120)
    bars = ax.barh(range(len(depts)), [d.rate for d in depts], color="#3b7dd8")
    for bar, d in zip(bars, depts, strict=True):
        ax.text(
            bar.get_width() + 0.01,
            bar.get_y() + bar.get_height() / 2,
            f"{d.rate:.2f}  ({d.top1}/{d.n})",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(depts)))
    ax.set_yticklabels(labels, fontsize=9)
    ax.set_xlim(0, 1.18)
    ax.axvline(scores.top1, color="#d9534f", linestyle="--", linewidth=1, label="总体 / overall" if cjk else "overall")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("top-1 准确率 / accuracy" if cjk else "top-1 accuracy")
    title = "各部门 top-1（留出集）" if cjk else "Department top-1, held-out set"
    ax.set_title(f"{title}  n={scores.n}  overall={scores.top1:.3f}  macro={scores.macro:.3f}", fontsize=11)
    fig.tight_layout()
    return _save(fig, out)


def _save(fig: plt.Figure, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
