"""Document benchmark: text extraction per format and size, and start latency with a cold vs warm cache.

Extraction runs in process on documents built from the committed fixtures (PDF pages repeated with
pypdf, DOCX paragraphs with python-docx, TXT by repetition). Start latency runs over HTTP against the
real app (`python app.py`, throw-away data folder):

- cold: `start-with-ids` uploading a DOCX CV and a PDF JD whose content the cache has never seen
  (extraction + analysis + first question);
- warm, files: the same upload again (extraction, then a cache hit);
- warm, ids: stored document ids (no extraction, a cache hit).

    python bench/documents.py [--runs 20] [--quick] [--url http://127.0.0.1:8000]
"""
from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
import uuid

import requests

from _common import ROOT, V2, app_server, backend_name, pct, progress

sys.path.insert(0, str(ROOT))
from interview_engine.documents import extract_text  # noqa: E402

DOCS = ROOT / "tests" / "fixtures" / "documents"
LIMITS = dict(max_bytes=50 << 20, max_pages=1000, max_uncompressed=500 << 20)
FORM = {"user_id": "bench", "role": "Senior Backend Engineer", "company": "TechCorp"}


def pdf_of(pages: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    source = PdfReader(DOCS / "resume.pdf")
    writer = PdfWriter()
    while len(writer.pages) < pages:
        for page in source.pages:
            if len(writer.pages) < pages:
                writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def docx_of(paragraphs: int, marker: str = "") -> bytes:
    import docx

    source = extract_text((DOCS / "resume_table.docx").read_bytes(), "cv.docx", "cv", **LIMITS).text.splitlines()
    d = docx.Document()
    if marker:
        d.add_paragraph(marker)
    for i in range(paragraphs):
        line = source[i % len(source)]
        if line.startswith("- "):
            d.add_paragraph(line[2:], style="List Bullet")
        else:
            d.add_paragraph(line)
    table = d.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Clinical", "Patient assessment, triage"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def txt_of(kb: int) -> bytes:
    base = (ROOT / "tests" / "fixtures" / "cv_backend.txt").read_bytes()
    return (base * (kb * 1024 // len(base) + 1))[: kb * 1024]


CASES = [
    ("pdf", "3 pages", lambda: (DOCS / "resume.pdf").read_bytes()),
    ("pdf", "10 pages", lambda: pdf_of(10)),
    ("pdf", "50 pages (the page limit)", lambda: pdf_of(50)),
    ("docx", "12 paragraphs + table", lambda: (DOCS / "resume_table.docx").read_bytes()),
    ("docx", "300 paragraphs", lambda: docx_of(300)),
    ("txt", "4 KB", lambda: txt_of(4)),
    ("txt", "100 KB", lambda: txt_of(100)),
    ("txt (UTF-16)", "1 KB", lambda: (DOCS / "jd_utf16.txt").read_bytes()),
]


def bench_extraction(runs: int) -> None:
    print(f"\nText extraction, in process, {runs} runs each\n")
    print(f"{'format':<13} {'size':<27} {'bytes':>9} {'chars':>8} {'p50':>9} {'p95':>9} {'peak mem':>9}")
    for fmt, label, build in CASES:
        data = build()
        ext = {"pdf": ".pdf", "docx": ".docx"}.get(fmt, ".txt")
        times = []
        for i in range(runs):
            progress(f"{fmt} {label}", i + 1, runs)
            t0 = time.perf_counter()
            got = extract_text(data, "doc" + ext, "cv", **LIMITS)
            times.append(time.perf_counter() - t0)
        tracemalloc.start()
        extract_text(data, "doc" + ext, "cv", **LIMITS)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{fmt:<13} {label:<27} {len(data):>9,d} {len(got.text):>8,d} {pct(times, .5) * 1000:>7.1f}ms "
              f"{pct(times, .95) * 1000:>7.1f}ms {peak / 1e6:>7.1f}MB")


def bench_start(url: str, runs: int) -> None:
    http = requests.Session()
    jd_pdf = (DOCS / "job_description.pdf").read_bytes()
    resume_pdf = (DOCS / "resume.pdf").read_bytes()
    tag = uuid.uuid4().hex[:6]
    ids = {}
    for kind, name, data in (("cv", "resume.pdf", resume_pdf), ("jd", "job_description.pdf", jd_pdf)):
        r = http.post(f"{url}{V2}/documents", data={"kind": kind}, files={"file": (name, data)})
        r.raise_for_status()
        ids[kind] = r.json()["id"]
    http.post(f"{url}{V2}/start-with-ids", data={**FORM, "session_id": f"w{tag}"},  # warms the file path
              files={"cv_file": ("resume.pdf", resume_pdf), "jd_file": ("jd.pdf", jd_pdf)}).raise_for_status()

    rows = {"cold: new DOCX CV + PDF JD files": [], "warm: same PDF files again": [], "warm: stored ids": []}
    for i in range(runs):
        progress("start-with-ids cold / warm", i + 1, runs)
        # A unique line makes the CV new to the cache: extraction, analysis and question all run
        # (the JD is the same each time, so only the CV misses the cache).
        cv_docx = docx_of(12, marker=f"Reference {uuid.uuid4()}")
        cases = [
            ("cold: new DOCX CV + PDF JD files", {"files": {"cv_file": ("cv.docx", cv_docx), "jd_file": ("jd.pdf", jd_pdf)}}),
            ("warm: same PDF files again", {"files": {"cv_file": ("resume.pdf", resume_pdf), "jd_file": ("jd.pdf", jd_pdf)}}),
            ("warm: stored ids", {"data_extra": {"cv_id": ids["cv"], "jd_id": ids["jd"]}}),
        ]
        for n, (name, kw) in enumerate(cases):
            data = {**FORM, "session_id": f"s{n}_{tag}_{i}", **kw.get("data_extra", {})}
            t0 = time.perf_counter()
            r = http.post(f"{url}{V2}/start-with-ids", data=data, files=kw.get("files"))
            rows[name].append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"{name}: HTTP {r.status_code} {r.text[:200]}")
    print(f"\nstart-with-ids over HTTP, {backend_name()} storage, offline engine, {runs} runs each\n")
    print(f"{'case':<36} {'p50':>9} {'p95':>9}   contract")
    contract = {"cold": "4-6 s (without cache), 3-5 s (file upload)", "warm: same": "3-5 s (file upload)",
                "warm: stored": "2-3 s (cached CV by id)"}
    for name, values in rows.items():
        c = next(v for k, v in contract.items() if name.startswith(k))
        print(f"{name:<36} {pct(values, .5) * 1000:>7.1f}ms {pct(values, .95) * 1000:>7.1f}ms   {c}")
    cold, warm = pct(rows["cold: new DOCX CV + PDF JD files"], .5), pct(rows["warm: stored ids"], .5)
    print(f"\ncold / warm (stored ids) p50 ratio: {cold / warm:.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="5 runs each")
    ap.add_argument("--url", help="measure an already running server instead of starting one")
    args = ap.parse_args()
    runs = 5 if args.quick else args.runs
    bench_extraction(runs)
    with app_server(args.url) as app:
        bench_start(app.url, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
