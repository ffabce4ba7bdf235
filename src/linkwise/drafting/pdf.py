"""The PDF page every linkwise paper is printed on (fpdf2): a font that can print the text,
a running header and page numbers, and an optional diagonal stamp (DRAFT).

Fonts. The core Helvetica font is fast (nothing to embed) but prints only Latin-1; DejaVu
Sans, when the system has it, prints names in any script but costs a font parse and subset
per file. So a paper uses Helvetica when all of its text is Latin-1 once typographic
punctuation is made plain, and DejaVu otherwise; with no DejaVu on the system, characters
outside Latin-1 print as '?'.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fpdf import FPDF

__all__ = ["GREY", "HIGHLIGHT", "Paper", "plain"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
GREY = (90, 90, 90)
HIGHLIGHT = (180, 20, 20)
_PLAIN = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def plain(text: str) -> str:
    """Typographic punctuation as plain characters (dashes, quotes, ellipsis)."""
    return text.translate(_PLAIN)


def _latin1(texts: Iterable[str]) -> bool:
    try:
        for text in texts:
            plain(text).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class Paper(FPDF):
    """A Letter page with ``title`` in the header and, when ``stamp`` is given, that word
    printed large and diagonally across every page."""

    def __init__(
        self, title: str, texts: Iterable[str], *, stamp: str | None = None, label: str = ""
    ) -> None:
        super().__init__(format="Letter")
        self._title = title
        self._stamp = stamp
        self._label = label
        self._widths: dict[tuple[tuple[str, float], str], float] = {}
        self._face, self._unicode = self._choose_font(texts)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(plain(title))
        self.set_creator("linkwise")

    def _choose_font(self, texts: Iterable[str]) -> tuple[str, bool]:
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if _latin1(texts) or not (regular.is_file() and bold.is_file()):
            return "Helvetica", False
        self.add_font("DejaVu", "", str(regular))
        self.add_font("DejaVu", "B", str(bold))
        return "DejaVu", True

    def safe(self, text: str) -> str:
        text = plain(text)
        return text if self._unicode else text.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        if self._stamp:
            self.set_font(self._face, "B", 90)
            self.set_text_color(225, 225, 225)
            with self.rotation(45, x=self.w / 2, y=self.h / 2):
                width = self.get_string_width(self._stamp)
                self.text(self.w / 2 - width / 2, self.h / 2 + 15, self._stamp)
        self.set_font(self._face, "B" if self._label else "", 8)
        self.set_text_color(*(HIGHLIGHT if self._stamp else GREY))
        head = f"{self._label}  |  {self._title}" if self._label else self._title
        self.cell(0, 5, self.safe(head), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self._face, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Page {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)

    def line_of(self, text: str, *, size: float = 9, bold: bool = False, color: Any = None) -> None:
        """A paragraph of wrapped text. Wrapped here, word by word with each word's width
        measured once per font and size, rather than by ``multi_cell``, which measures
        every character again for every line it tries (most of a document's render time)."""
        style = "B" if bold else ""
        self.set_font(self._face, style, size)
        if color is not None:
            self.set_text_color(*color)
        room = self.w - self.l_margin - self.r_margin - 2 * self.c_margin
        for line in self._wrap(self.safe(text), room, (style, size)):
            self.cell(0, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def _width(self, word: str, font: tuple[str, float]) -> float:
        key = (font, word)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self.get_string_width(word)
        return found

    def _wrap(self, text: str, room: float, font: tuple[str, float]) -> list[str]:
        """Greedy lines of whole words; a word wider than a line is cut where it must be."""
        space = self._width(" ", font)
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in text.split(" "):
            width = self._width(word, font)
            while width > room and word:
                cut = max(1, int(len(word) * room / width) - 1)
                if current:
                    lines.append(" ".join(current))
                    current, used = [], 0.0
                lines.append(word[:cut])
                word = word[cut:]
                width = self._width(word, font)
            needed = width if not current else used + space + width
            if current and needed > room:
                lines.append(" ".join(current))
                current, used = [word], width
            else:
                current.append(word)
                used = needed
        lines.append(" ".join(current))
        return lines

    def done(self) -> bytes:
        return bytes(self.output())
