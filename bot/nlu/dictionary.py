"""Generates jieba's user dictionary from the catalog, so government terms stay whole tokens.

Run as ``python -m bot.nlu.dictionary OUT_DIR`` before training; Rasa's JiebaTokenizer loads every
file in OUT_DIR and stores a copy inside the trained model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.catalog import Catalog, get_catalog
from bot.catalog.matcher import matcher_for

# A high frequency makes jieba prefer the whole phrase over splitting it.
_FREQ = 2000


def dictionary_entries(catalog: Catalog) -> list[tuple[str, int, str]]:
    """(word, frequency, tag); phrases with spaces cannot be jieba words and are skipped."""
    return [(p, _FREQ, "n") for p in matcher_for(catalog).phrases() if " " not in p and len(p) <= 24]


def dictionary_lines(catalog: Catalog) -> list[str]:
    """``word freq tag`` lines of jieba's user dictionary format."""
    return [f"{w} {f} {t}" for w, f, t in dictionary_entries(catalog)]


def write_dictionary(catalog: Catalog, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.txt"):
        old.unlink()
    path = out_dir / "nanhai_userdict.txt"
    path.write_text("\n".join(dictionary_lines(catalog)) + "\n", encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.nlu.dictionary OUT_DIR", file=sys.stderr)
        return 2
    path = write_dictionary(get_catalog(), Path(argv[0]))
    print(f"wrote {path} ({sum(1 for _ in path.open(encoding='utf-8'))} terms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
