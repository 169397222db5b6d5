"""The fake book as xlwings Lite hands it to a script (xlwings.pro._xlremote, 0.37).

Where Lite differs from desktop xlwings, as far as the button code is concerned: a
range's fill colour and a note's text cannot be read synchronously (NotImplementedError,
"use await …"), adding a note needs ExcelApi 1.18 (NotImplementedError without it), and
the book has no path (fullname is the name).
"""

from __future__ import annotations

from fake_xlwings import FakeBook, FakeNote, FakeRange, FakeSheet


class LiteNote(FakeNote):
    def __init__(self, sheet, key, text):
        self._sheet, self._key = sheet, key

    @property
    def text(self):
        raise NotImplementedError(
            "Reading a note's text synchronously isn't supported on this engine."
        )

    @text.setter
    def text(self, value):
        self._sheet.notes[self._key] = value


class LiteRange(FakeRange):
    note_class = LiteNote

    @property
    def color(self):
        raise NotImplementedError(
            "Reading the fill color synchronously isn't supported on this engine."
        )

    @color.setter
    def color(self, rgb):
        FakeRange.color.fset(self, rgb)  # type: ignore[attr-defined]

    def add_note(self, text):
        if not self.sheet.book.notes_supported:
            raise NotImplementedError("Notes require ExcelApi 1.18")
        return super().add_note(text)


class LiteSheet(FakeSheet):
    range_class = LiteRange


class LiteBook(FakeBook):
    sheet_class = LiteSheet

    def __init__(self, path, notes_supported: bool = True):
        self.notes_supported = notes_supported
        super().__init__(path)
        self.fullname = self.name  # Lite works on the open workbook; there is no path
