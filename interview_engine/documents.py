"""Text extraction from uploaded CVs and job descriptions: PDF, DOCX, TXT/Markdown.

The format is decided from the file's bytes (magic numbers); the filename's extension is only a
hint and names the file in error messages. Hostile files are refused early: oversized uploads,
DOCX zip bombs, and PDFs with thousands of pages (read only up to a page limit).
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Optional

from .errors import BadRequest, PayloadTooLarge
from .text import normalise

# pypdf warns about every quirk of a damaged file; the reason reaches the user in the 400 instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

SUPPORTED_EXTENSIONS = {".pdf", ".docx", ".txt", ".md", ".markdown", ".text", ""}
LABEL = {"cv": "CV", "jd": "JD"}


@dataclass
class ExtractedText:
    text: str
    format: str  # pdf | docx | txt
    filename: str
    pages: Optional[int] = None
    truncated_pages: bool = False


def _ext(filename: str) -> str:
    name = PurePath(filename or "").name
    return PurePath(name).suffix.lower() if "." in name else ""


def sniff(data: bytes) -> str:
    """pdf, zip, text, or binary, from the first bytes."""
    head = data[:8]
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return "text"
    sample = data[:4096]
    if b"\x00" in sample or head.startswith((b"MZ", b"\x7fELF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "binary"
    return "text"


def decode_text(data: bytes) -> str:
    """UTF-8, or UTF-16 with a BOM, or cp1252 as the last resort for old Windows files."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf_text(data: bytes, max_pages: int) -> tuple:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                # Many "protected" PDFs only restrict printing and open with an empty password.
                if not reader.decrypt(""):
                    raise BadRequest("Failed to extract text from PDF: Encrypted file")
            except (FileNotDecryptedError, NotImplementedError, Exception) as exc:
                if isinstance(exc, BadRequest):
                    raise
                raise BadRequest("Failed to extract text from PDF: Encrypted file")
        n = len(reader.pages)
        parts = []
        for page in reader.pages[:max_pages]:
            parts.append(page.extract_text() or "")
        return "\n".join(parts), n, n > max_pages
    except BadRequest:
        raise
    except FileNotDecryptedError:
        raise BadRequest("Failed to extract text from PDF: Encrypted file")
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            AssertionError, OSError) as exc:
        reason = str(exc).strip() or type(exc).__name__
        raise BadRequest(f"Failed to extract text from PDF: the file is damaged or incomplete ({reason[:160]})")


def _check_zip(data: bytes, max_uncompressed: int, label: str) -> None:
    # The declared sizes bound what python-docx can inflate: zipfile stops reading a member at its
    # declared size, so a header that lies cannot smuggle in more than was checked here.
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise BadRequest(f"Failed to extract text from DOCX: the file is damaged ({exc})")
    total = sum(i.file_size for i in infos)
    if len(infos) > 2000 or total > max_uncompressed:
        raise BadRequest(f"{label} file refused: it expands to {total // (1024 * 1024)} MB when unpacked "
                         f"(limit {max_uncompressed // (1024 * 1024)} MB)")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise BadRequest(f"Unsupported {label} file format: a ZIP archive that is not a Word document")


def _docx_text(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, Exception) as exc:
        raise BadRequest(f"Failed to extract text from DOCX: the file is damaged ({type(exc).__name__})")

    lines = []
    # Resolve style names once: python-docx's per-paragraph `p.style` rescans the styles part each time
    # (300 paragraphs took 185 ms that way).
    style_names = {s.style_id: (s.name or "") for s in document.styles}

    def paragraph_line(p) -> Optional[str]:
        text = p.text.strip()
        if not text:
            return None
        style = style_names.get(p._p.style or "", "")
        if style.lower().startswith("list") or p._p.pPr is not None and p._p.pPr.numPr is not None:
            return "- " + text
        return text

    def walk_table(table, depth=0):
        if depth > 5:
            return
        for row in table.rows:
            cells = []
            for cell in row.cells:
                cell_text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                if cell_text and cell_text not in cells:
                    cells.append(cell_text)
                for inner in cell.tables:
                    walk_table(inner, depth + 1)
            if cells:
                lines.append(" | ".join(cells))

    for section in document.sections:
        for part in (section.header, section.first_page_header):
            try:
                for p in part.paragraphs:
                    line = paragraph_line(p)
                    if line and line not in lines:
                        lines.append(line)
            except Exception:  # absent or malformed header parts carry no required text
                pass
    # Body in document order: paragraphs and tables interleaved.
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            line = paragraph_line(Paragraph(child, document))
            if line:
                lines.append(line)
        elif tag == "tbl":
            walk_table(Table(child, document))
    for section in document.sections:
        try:
            for p in section.footer.paragraphs:
                line = paragraph_line(p)
                if line and line not in lines:
                    lines.append(line)
        except Exception:
            pass
    return "\n".join(lines)


def extract_text(data: bytes, filename: str, kind: str, *, max_bytes: int, max_pages: int,
                 max_uncompressed: int) -> ExtractedText:
    """Extract clean text from an uploaded CV (kind="cv") or job description (kind="jd")."""
    label = LABEL.get(kind, kind.upper())
    ext = _ext(filename)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{label} file is too large: {len(data) / 1e6:.1f} MB (limit {max_bytes / 1e6:.0f} MB)")
    if ext not in SUPPORTED_EXTENSIONS:
        raise BadRequest(f"Unsupported {label} file format: {ext}")
    if not data:
        raise BadRequest(f"The {label} file is empty")
    kind_of_bytes = sniff(data)
    expected = {".pdf": "pdf", ".docx": "zip"}.get(ext, "text" if ext else None)
    if expected and kind_of_bytes != expected:
        found = {"pdf": "a PDF", "zip": "a ZIP archive", "text": "plain text", "binary": "binary data"}[kind_of_bytes]
        raise BadRequest(f"The {label} file is named {ext} but its content is {found}; "
                         f"upload a real PDF, DOCX or TXT file")
    pages = None
    truncated = False
    if kind_of_bytes == "pdf":
        raw, pages, truncated = _pdf_text(data, max_pages)
        fmt = "pdf"
    elif kind_of_bytes == "zip":
        _check_zip(data, max_uncompressed, label)
        raw, fmt = _docx_text(data), "docx"
    elif kind_of_bytes == "text":
        raw, fmt = decode_text(data), "txt"
    else:
        raise BadRequest(f"Unsupported {label} file format: {ext or 'unknown binary data'}")
    text = clean_extracted(raw)
    if not text.strip():
        if fmt == "pdf":
            raise BadRequest(f"The {label} PDF has no extractable text (it looks like a scanned image); "
                             "upload a text-based PDF, DOCX or TXT")
        raise BadRequest(f"The {label} file contains no text")
    return ExtractedText(text=text, format=fmt, filename=filename or "", pages=pages, truncated_pages=truncated)


_SECTION = re.compile(r"^(professional |work )?(summary|profile|experience|employment|education|skills|projects|"
                      r"certifications?|languages|requirements|responsibilities|qualifications|about( us| the role)?|"
                      r"what you.ll do|what we offer|benefits|nice to have)\b.{0,20}$", re.IGNORECASE)
_BULLETS = re.compile(r"^\s*[•●▪◦‣∙·■□➢➤►✓✔-]\s*", re.MULTILINE)


def clean_extracted(text: str) -> str:
    """Normalise whitespace and hyphenation; keep headings and bullets (as '- ') for the analysis."""
    text = normalise(text.replace("\x00", ""))
    text = _BULLETS.sub("- ", text)
    return text


def summarise(text: str, analysis) -> dict:
    """A short summary of a stored document, so an integrator can check the extraction worked."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    headings = [line for line in lines if len(line) <= 40 and not line.startswith("- ")
                and (line.isupper() or line.endswith(":") or _SECTION.match(line))][:12]
    preview = text[:300].rstrip() + ("…" if len(text) > 300 else "")
    return {"characters": len(text), "words": len(text.split()), "lines": len(lines), "headings": headings,
            "skills": analysis.all_skills()[:20], "years_experience": analysis.years_experience,
            "seniority": analysis.seniority, "preview": preview}
