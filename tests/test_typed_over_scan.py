"""The scan for formula cells typed over by hand (io/read/sheetscan.typed_over) on hand-made
sheet XML: which cells count, whatever the other columns, the spelling of the XML or the size
of the formulas passed over."""

from __future__ import annotations

import zipfile

from followup_xl.io.read.sheetscan import typed_over

WORKBOOK = (
    b'<workbook xmlns:r="r"><sheets><sheet name="\xe5\xae\xa2\xe6\x88\xb7" sheetId="1" '
    b'r:id="rId1"/></sheets></workbook>'
)
RELS = b'<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'


def _book(tmp_path, cells: bytes):
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", RELS)
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            b"<worksheet><sheetData>" + cells + b"</sheetData></worksheet>",
        )
    return str(path)


def test_only_the_formula_columns_values_without_a_formula_count(tmp_path):
    long_formula = b"<f>" + b"IF(A2=&quot;&quot;,1,2)+" * 500 + b"0</f>"
    cells = (
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        b'<row r="2"><c r="A2"><v>5</v></c><c r="B2">' + long_formula + b"<v>7</v></c>"
        b'<c r="AB2"><v>9</v></c></row>'  # AB is not B: a longer column with the same end
        b'<row r="3"><c r="B3" s="7"><v>46000</v></c>'  # typed over: a value, no formula
        b'<c r="BB3"><v>1</v></c></row>'  # BB is not B either
        b'<row r="4"><c r="B4" t="inlineStr"><is><t>x</t></is></c></row>'  # typed text
        b'<row r="5"><c r="B5" s="7"/></row>'  # emptied: nothing typed
        b'<row r="6"><c r="B6">\n  <f>A6+1</f>\n  <v>3</v>\n</c></row>'  # formula, pretty-printed
        b'<row r="7"><c r="B7" t="shared"><f t="shared" si="0"/><v>4</v></c></row>'
    )
    path = _book(tmp_path, cells)
    assert typed_over(path, "客户", {1: "next_routine"}, 1) == [
        (3, "next_routine"),
        (4, "next_routine"),
    ]
    # several columns, the header rows left out
    assert typed_over(path, "客户", {0: "a", 1: "b", 27: "ab"}, 2) == [(3, "b"), (4, "b")]
    assert typed_over(path, "客户", {0: "a", 27: "ab"}, 1) == [(2, "a"), (2, "ab")]


def test_a_sheet_it_cannot_find_gives_nothing(tmp_path):
    path = _book(tmp_path, b'<row r="2"><c r="B2"><v>1</v></c></row>')
    assert typed_over(path, "别的", {1: "x"}, 1) == []
    assert typed_over(path, "客户", {}, 1) == []
