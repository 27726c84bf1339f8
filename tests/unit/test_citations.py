"""Citations a reader can follow: every `§N` in the code and docs names a section of
docs/upstream-behaviour.md (and `§9 bug N` / `§9 item N` an entry of its list), and nothing
cites a document that is not in the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "upstream-behaviour.md"
CITATION = re.compile(r"§(\d+(?:\.\d+)*)(?: (?:bug|item) (\d+[a-z]?))?")
OUTSIDE = re.compile(
    r"\binventory §|\binventory C\d|external-apis|framework-notes|nim-operator-inventory")


def cited_files() -> list[Path]:
    files = [*(ROOT / "nimop").rglob("*.py"), *(ROOT / "bench").rglob("*.py"),
             *(p for p in (ROOT / "tests").rglob("*.py") if "golden" not in p.parts),
             *(p for p in (ROOT / "docs").glob("*.md") if p != PAGE), ROOT / "README.md"]
    return [p for p in files if p.name != Path(__file__).name]


def sections() -> tuple[set[str], set[str]]:
    """(section numbers of the page's headings, entry numbers of its §9 list)."""
    text = PAGE.read_text()
    heads = set(re.findall(r"^#+ §([\d.]+)", text, re.M))
    bugs_part = text.split("## §9", 1)[1]
    items = set(re.findall(r"^(\d+[a-z]?)\. ", bugs_part, re.M))
    return heads, items


def test_the_page_has_sections_and_a_bug_list() -> None:
    heads, items = sections()
    assert {"0", "4.2", "9"} <= heads and {"1", "24", "17b"} <= items


def test_every_citation_names_a_section_of_the_page() -> None:
    heads, items = sections()
    missing = []
    for path in cited_files():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for section, item in CITATION.findall(line):
                if section not in heads or (item and (section != "9" or item not in items)):
                    missing.append(f"{path.relative_to(ROOT)}:{n}: §{section} {item}".strip())
    assert not missing, "cited but not in docs/upstream-behaviour.md:\n" + "\n".join(missing)


def test_no_citation_points_outside_the_repository() -> None:
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in cited_files()
                 for n, line in enumerate(p.read_text().splitlines(), 1) if OUTSIDE.search(line)]
    assert not offenders, offenders
