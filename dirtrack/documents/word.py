"""Write a review's outline as a Word document in the official layout.

A4, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman, body 14 pt
justified with a first-line indent; the header table (issuing body and its superior,
number, the Party emblem line or the national motto, place and date); title and
subject; numbered parts; tables with their header row repeated on every page; page
numbers centred at the top from the second page; recipients and signature (Hướng dẫn
36-HD/VPTW for Party bodies, Decree 30/2020/NĐ-CP for government bodies).

The data tables are written as WordprocessingML directly: a league table of thousands
of units takes python-docx's cell-by-cell calls seconds, one parsed fragment
milliseconds.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from dirtrack.documents.outline import Block, Document, Table

FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15
TWIPS_PER_MM = 56.7
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY


def write_docx(doc: Document) -> bytes:
    """Return the .docx file of ``doc``."""
    word = new_document()
    _page(word)
    _head(word, doc)
    _title(word, doc)
    for block in doc.opening:
        _block(word, block)
    for part in doc.parts:
        _paragraph(word, f"{part.numeral}. {part.title}", bold=True, indent=True,
                   before=6, keep=True)
        for block in part.blocks:
            _block(word, block)
    _paragraph(word, doc.closing, indent=True, keep=True)
    _signature(word, doc)
    out = BytesIO()
    word.save(out)
    return out.getvalue()


def _page(word: DocxDocument) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    style = word.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(14)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), FONT)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.line_spacing = 1.15
    # The page number, centred above the text, from the second page on.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = CENTER
    _field(number, "PAGE")


def _field(paragraph: Paragraph, code: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {code} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _paragraph(target: DocxDocument | _Cell, text: str, *, bold: bool = False,
               italic: bool = False, underline: bool = False, size: float | None = None,
               align: int | None = JUSTIFY, indent: bool = False, before: float = 0,
               after: float | None = None, keep: bool = False) -> Paragraph:
    paragraph = target.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    fmt = paragraph.paragraph_format
    paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Cm(1.27)
    fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    fmt.keep_with_next = keep
    return paragraph


def _borderless(word: DocxDocument, widths_mm: tuple[float, float]) -> tuple[_Cell, _Cell]:
    """Return the two cells of a one-row table without borders, kept on one page."""
    table = word.add_table(rows=1, cols=2)
    row_props = table.rows[0]._tr.get_or_add_trPr()
    row_props.append(OxmlElement("w:cantSplit"))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = table.rows[0].cells
    for column, cell, width in zip(table.columns, cells, widths_mm, strict=True):
        column.width = cell.width = Mm(width)  # the grid and the cell: Word reads one,
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # LibreOffice the other
    return cells[0], cells[1]


def _head(word: DocxDocument, doc: Document) -> None:
    h = doc.head
    # A Party body's name can be long ("BAN TUYÊN GIÁO VÀ DÂN VẬN"); the national motto
    # is the wider line of a government body's header.
    left, right = _borderless(word, (78, 87) if h.party else (65, 100))
    small = dict(align=CENTER, after=0.0, size=12.5 if h.party else 12.0)
    if h.superior:
        _paragraph(left, h.superior, **small)  # type: ignore[arg-type]
    _paragraph(left, h.issuer, bold=True, underline=not h.party, **small)  # type: ignore[arg-type]
    if h.party:
        _paragraph(left, "*", **small)  # type: ignore[arg-type]
    _paragraph(left, h.number, before=4, **small)  # type: ignore[arg-type]
    for n, line in enumerate(h.right):
        last = n == len(h.right) - 1
        _paragraph(right, line, bold=True, underline=last, align=CENTER, after=0,
                   size=14 if h.party else (12 if n == 0 else 13))
    _paragraph(right, h.dated, italic=True, align=CENTER, before=10, after=0)


def _title(word: DocxDocument, doc: Document) -> None:
    _paragraph(word, doc.kind, bold=True, size=15, align=CENTER, before=18, after=0)
    for line in doc.subtitle:
        _paragraph(word, line, bold=True, align=CENTER, after=0)
    for note in doc.notes:
        _paragraph(word, note, italic=True, align=CENTER, after=0)
    _paragraph(word, "-----", align=CENTER, after=12)


def _block(word: DocxDocument, block: Block) -> None:
    if block.kind == "heading":
        _paragraph(word, block.text, bold=True, indent=True, keep=True)
    elif block.kind == "subhead":
        _paragraph(word, block.text, bold=True, italic=True, indent=True, keep=True)
    elif block.kind == "item":
        _paragraph(word, f"- {block.text}", indent=True)
    elif block.kind == "placeholder":
        _paragraph(word, block.text, italic=True, indent=True, align=None)
    elif block.kind == "table" and block.table is not None:
        if block.table.caption:
            _paragraph(word, block.table.caption, bold=True, size=13, align=CENTER, after=3,
                       keep=True)
        _data_table(word, block.table)
    elif block.kind == "para":
        _paragraph(word, block.text, indent=True)
    # charts are drawn in HTML only


def _run(text: str, bold: bool = False, italic: bool = False) -> str:
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    return (f'<w:r><w:rPr>{props}<w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def _cell(text: str, width: int, *, align: str = "left", bold: bool = False,
          italic: bool = False, span: int = 1) -> str:
    spans = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{spans}</w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="20" w:after="20" w:line="264" '
            f'w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr>'
            f"{_run(text, bold, italic)}</w:p></w:tc>")


def _data_table(word: DocxDocument, table: Table) -> None:
    columns = len(table.header)
    mm = table.widths if len(table.widths) == columns else (1,) * columns
    widths = [int(TEXT_WIDTH_MM * TWIPS_PER_MM * w / sum(mm)) for w in mm]
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(border.format(side) for side in
                      ("top", "left", "bottom", "right", "insideH", "insideV"))
    head = "".join(_cell(text, widths[i], align="center", bold=True)
                   for i, text in enumerate(table.header))
    rows = ['<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>' + head + "</w:tr>"]
    for row in table.rows:
        if row.group:
            cells = _cell(row.cells[0], sum(widths), bold=True, italic=True, span=columns)
        else:
            cells = "".join(
                _cell(text, widths[i], align="right" if i in table.numeric else "left",
                      bold=row.strong)
                for i, text in enumerate(row.cells))
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    xml = (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
           f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
           f'<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
           f'<w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")
    body = word.element.body
    body.sectPr.addprevious(parse_xml(xml))
    # A short gap after the table before the text goes on.
    _paragraph(word, "", after=0, align=None).paragraph_format.space_after = Pt(4)


def _signature(word: DocxDocument, doc: Document) -> None:
    _paragraph(word, "", after=0, keep=True)
    left, right = _borderless(word, (70, 95))
    party = doc.head.party
    label = doc.recipients_label
    if party:
        _paragraph(left, label, underline=True, size=14, align=None, after=0)
    else:
        _paragraph(left, label, bold=True, italic=True, size=12, align=None, after=0)
    for line in doc.recipients:
        _paragraph(left, f"- {line}", size=12 if party else 11, align=None, after=0)
    authority, title, name = doc.signer
    for line in (authority, title):
        if line:
            _paragraph(right, line, bold=True, align=CENTER, after=0)
    for _ in range(4):
        _paragraph(right, "", align=CENTER, after=0)
    _paragraph(right, name, bold=True, align=CENTER, after=0)
