"""CVs and job descriptions from real files and stored ids: extraction, the document store and the cache."""
from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from conftest import FIXTURES
from interview_engine import InterviewService
from interview_engine.documents import extract_text
from interview_engine.errors import BadRequest

V2 = "/interview/v2"
DOCS = FIXTURES / "documents"
LIMITS = dict(max_bytes=10 << 20, max_pages=50, max_uncompressed=50 << 20)
FORM = {"user_id": "user_123", "role": "Senior Backend Engineer", "company": "TechCorp"}


def upload(name: str, as_name: str = None):
    return (as_name or name, (DOCS / name).read_bytes())


def start_form(client, session_id, files=None, **data):
    return client.post(f"{V2}/start-with-ids", data={**FORM, "session_id": session_id, **data},
                       files={k: (v[0], v[1]) for k, v in (files or {}).items()})


def sources(client, session_id):
    return client.get(f"{V2}/state/{session_id}").json()["analysis"]["sources"]


# Extraction, straight from the files -----------------------------------------------------------
def test_multi_page_pdf_keeps_every_page_and_joins_hyphenated_words():
    got = extract_text((DOCS / "resume.pdf").read_bytes(), "resume.pdf", "cv", **LIMITS)
    assert got.format == "pdf" and got.pages == 3
    assert "3M transactions a day" in got.text  # "trans-" + newline + "actions" in the PDF
    assert "Page three marker" in got.text
    assert "- Cut p95 API latency" in got.text  # bullets survive for the analysis


def test_pdf_page_limit_reads_only_the_first_pages():
    got = extract_text((DOCS / "resume.pdf").read_bytes(), "resume.pdf", "cv", **{**LIMITS, "max_pages": 1})
    assert got.pages == 3 and got.truncated_pages
    assert "MARIA GARCIA" in got.text and "Page three marker" not in got.text


def test_docx_reads_header_body_bullets_and_table_in_order():
    got = extract_text((DOCS / "resume_table.docx").read_bytes(), "resume_table.docx", "cv", **LIMITS)
    lines = got.text.splitlines()
    assert lines[0] == "Tomasz Nowak - Registered Nurse - tomasz@example.com"  # from the page header
    assert "- Reduced medication errors on a 24-bed ICU by 30% with a double-check protocol." in lines
    assert "Critical care | Ventilator management, triage, IV therapy" in lines
    assert lines.index("Skills") < lines.index("Clinical | Patient assessment, medication administration, wound care")


@pytest.mark.parametrize("name", ["jd_utf16.txt", "jd_cp1252.txt"])
def test_text_files_in_old_encodings_decode_cleanly(name):
    got = extract_text((DOCS / name).read_bytes(), name, "jd", **LIMITS)
    assert "Zürich (café on site)" in got.text and "\ufffd" not in got.text


def test_format_is_read_from_the_bytes_not_the_name():
    got = extract_text((DOCS / "resume.pdf").read_bytes(), "blob", "cv", **LIMITS)
    assert got.format == "pdf"
    with pytest.raises(BadRequest, match=r"named \.pdf but its content is a ZIP archive"):
        extract_text((DOCS / "resume_table.docx").read_bytes(), "resume.pdf", "cv", **LIMITS)


def test_zip_bomb_is_refused_without_inflating_it():
    data = (DOCS / "bomb.docx").read_bytes()
    assert len(data) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(BadRequest, match="expands to 120 MB when unpacked"):
            extract_text(data, "bomb.docx", "cv", **LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


# Bad files over HTTP: the contract's shapes, and no session left behind ------------------------
BAD_FILES = [
    ("program.exe", "program.pdf", 400, "Unsupported CV file format: .exe"),
    ("encrypted.pdf", None, 400, "Failed to extract text from PDF: Encrypted file"),
    ("truncated.pdf", None, 400, "Failed to extract text from PDF: the file is damaged or incomplete"),
    ("scanned.pdf", None, 400, "no extractable text"),
    ("program.pdf", None, 400, "named .pdf but its content is binary data"),
    ("bomb.docx", None, 400, "expands to 120 MB when unpacked"),
]


@pytest.mark.parametrize("as_name,source,status,message", BAD_FILES)
def test_bad_cv_files_get_a_clear_400_and_create_nothing(client, as_name, source, status, message):
    r = start_form(client, "bad_1", files={"cv_file": upload(source or as_name, as_name),
                                           "jd_file": upload("job_description.pdf")})
    assert r.status_code == status
    assert message in r.json()["detail"]
    assert client.get(f"{V2}/state/bad_1").status_code == 404


def test_unsupported_jd_format_names_the_jd(client):
    r = start_form(client, "bad_2", files={"cv_file": upload("resume.pdf"), "jd_file": ("jd.exe", b"MZ\x90\x00")})
    assert r.status_code == 400 and r.json() == {"detail": "Unsupported JD file format: .exe"}


def test_oversized_file_gets_413_before_extraction(make_settings, clock):
    service = InterviewService(make_settings(MAX_DOCUMENT_MB=0.002), clock=clock)  # about 2 KB
    with TestClient(create_app(service=service)) as client:
        r = start_form(client, "big_1", files={"cv_file": upload("resume.pdf"), "jd_file": upload("job_description.pdf")})
        assert r.status_code == 413 and "CV file is too large" in r.json()["detail"]
        from api.limits import body_limit

        limit = body_limit(service.settings, "POST", f"{V2}/documents")
        huge = client.post(f"{V2}/documents", data={"kind": "cv"}, files={"file": ("cv.txt", b"x" * (limit + 10))})
        assert huge.status_code == 413 and "Request body too large" in huge.json()["detail"]
        assert client.get(f"{V2}/state/big_1").status_code == 404
    service.close()


# Starting from files, ids and text: files > ids > text, per side --------------------------------
def test_start_from_uploaded_pdf_files(client):
    r = start_form(client, "file_1", files={"cv_file": upload("resume.pdf"), "jd_file": upload("job_description.pdf")})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "active" and body["question_number"] == 1 and body["question"]
    state = client.get(f"{V2}/state/file_1").json()
    assert state["analysis"]["sources"]["cv"] == {"source": "file", "doc_id": None, "filename": "resume.pdf",
                                                  "format": "pdf", "pages": 3}
    assert {"kafka", "postgresql", "kubernetes"} <= set(state["analysis"]["matched"])


def test_start_from_docx_and_utf16_files(client):
    r = start_form(client, "file_2", files={"cv_file": upload("resume_table.docx"), "jd_file": upload("jd_utf16.txt")})
    assert r.status_code == 200
    assert sources(client, "file_2")["cv"]["format"] == "docx"
    assert sources(client, "file_2")["jd"]["format"] == "txt"


def test_file_beats_id_beats_text_on_each_side(client, cv_text, jd_text):
    nurse = client.post(f"{V2}/documents", data={"kind": "cv", "text": (FIXTURES / "cv_nurse.txt").read_text()}).json()
    r = start_form(client, "prio_1", files={"cv_file": upload("resume.pdf")}, cv_id=nurse["id"], cv_text=cv_text,
                   jd_text=jd_text)
    assert r.status_code == 200
    assert sources(client, "prio_1")["cv"]["source"] == "file"
    assert sources(client, "prio_1")["jd"]["source"] == "text"
    r = start_form(client, "prio_2", cv_id=nurse["id"], cv_text=cv_text, jd_text=jd_text)
    assert sources(client, "prio_2")["cv"] == {"source": "id", "doc_id": nurse["id"], "filename": None,
                                               "format": "text"}


def test_unknown_ids_answer_the_contract_404s(client, cv_text, jd_text):
    r = start_form(client, "ids_1", cv_id="60d5ec49f1b2c8b1f8c4e5a1", jd_text=jd_text)
    assert r.status_code == 404 and r.json() == {"detail": "Resume 60d5ec49f1b2c8b1f8c4e5a1 not found"}
    r = start_form(client, "ids_1", cv_text=cv_text, jd_id="60d5ec49f1b2c8b1f8c4e5a2")
    assert r.status_code == 404 and r.json() == {"detail": "Job description 60d5ec49f1b2c8b1f8c4e5a2 not found"}
    cv = client.post(f"{V2}/documents", data={"kind": "cv", "text": cv_text}).json()
    r = start_form(client, "ids_1", cv_text=cv_text, jd_id=cv["id"])  # a CV is not a job description
    assert r.status_code == 404
    assert client.get(f"{V2}/state/ids_1").status_code == 404


# The document store --------------------------------------------------------------------------
def test_document_lifecycle(client):
    r = client.post(f"{V2}/documents", data={"kind": "cv"}, files={"file": upload("resume.pdf")})
    assert r.status_code == 200
    doc = r.json()
    assert re.fullmatch(r"[0-9a-f]{24}", doc["id"])
    assert doc["kind"] == "cv" and doc["format"] == "pdf" and doc["pages"] == 3
    assert {"python", "kafka", "postgresql"} <= set(doc["summary"]["skills"])
    assert {"SUMMARY", "EXPERIENCE"} <= set(doc["summary"]["headings"])
    assert doc["summary"]["preview"].startswith("MARIA GARCIA")
    full = client.get(f"{V2}/documents/{doc['id']}").json()
    assert "Page three marker" in full["text"] and full["summary"] == doc["summary"]
    assert client.delete(f"{V2}/documents/{doc['id']}").json() == {"status": "deleted", "id": doc["id"],
                                                                   "sessions_deleted": [], "sessions_with_copies": []}
    gone = client.get(f"{V2}/documents/{doc['id']}")
    assert gone.status_code == 404 and gone.json() == {"detail": f"Document {doc['id']} not found"}
    assert client.delete(f"{V2}/documents/{doc['id']}").status_code == 404


@pytest.mark.parametrize("data,files,message", [
    ({"kind": "cv"}, None, "Either file or text is required"),
    ({"kind": "resume", "text": "x"}, None, None),
    ({"kind": "jd"}, {"file": ("jd.exe", b"MZ")}, "Unsupported JD file format: .exe"),
])
def test_document_bad_input(client, data, files, message):
    r = client.post(f"{V2}/documents", data=data, files=files)
    assert r.status_code == 400
    if message:
        assert r.json() == {"detail": message}


def test_start_by_ids_uses_and_fills_the_cache(client):
    cv = client.post(f"{V2}/documents", data={"kind": "cv"}, files={"file": upload("resume.pdf")}).json()
    jd = client.post(f"{V2}/documents", data={"kind": "jd"}, files={"file": upload("job_description.pdf")}).json()
    before = client.get(f"{V2}/metrics/global").json()["metrics"]["cache"]
    r = start_form(client, "cached_1", cv_id=cv["id"], jd_id=jd["id"])
    assert r.status_code == 200
    after = client.get(f"{V2}/metrics/global").json()["metrics"]["cache"]
    # Storing the documents analysed them, so starting from their ids hits the cache twice.
    assert after["hits"] - before["hits"] == 2 and after["misses"] == before["misses"]
    assert client.get(f"{V2}/performance/cached_1").json()["cache_status"] == "active"


def test_editing_a_document_invalidates_its_cached_analysis(client, jd_text):
    cv = client.post(f"{V2}/documents", data={"kind": "cv", "text": "Backend engineer, 6 years of Python and Kafka."}).json()
    start_form(client, "edit_1", cv_id=cv["id"], jd_text=jd_text)
    first = client.get(f"{V2}/state/edit_1").json()["analysis"]
    assert "kafka" in first["matched"]
    edited = client.put(f"{V2}/documents/{cv['id']}", data={"text": "Backend engineer, 6 years of Python and Go."})
    assert edited.status_code == 200 and edited.json()["id"] == cv["id"]
    assert "go" in edited.json()["summary"]["skills"] and "kafka" not in edited.json()["summary"]["skills"]
    start_form(client, "edit_2", cv_id=cv["id"], jd_text=jd_text)
    second = client.get(f"{V2}/state/edit_2").json()["analysis"]
    assert "kafka" not in second["matched"] and "kafka" in second["gaps"]
    assert client.put(f"{V2}/documents/64b000000000000000000009", data={"text": "x"}).status_code == 404


@pytest.mark.parametrize("backend", ["mongodb"], indirect=True)  # MongoDB's own collections: nothing to skip
def test_mongo_start_with_an_integrators_own_documents(backend, service, client, jd_text):
    """An integrator's system writes `resumes` itself (native ObjectId, field `text`); start finds it."""
    from bson import ObjectId

    oid = ObjectId()
    service.store.db["resumes"].insert_one({"_id": oid, "text": (FIXTURES / "cv_backend.txt").read_text()})
    service.store.db["job_descriptions"].insert_one({"_id": "acme-jd-7", "text": jd_text})
    r = start_form(client, "mongo_ids", cv_id=str(oid), jd_id="acme-jd-7")
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert sources(client, "mongo_ids")["jd"]["doc_id"] == "acme-jd-7"


def test_docx_renamed_pdf_and_zip_that_is_not_docx(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "hello")
    r = client.post(f"{V2}/documents", data={"kind": "cv"}, files={"file": ("cv.docx", buf.getvalue())})
    assert r.status_code == 400 and r.json()["detail"] == ("Unsupported CV file format: a ZIP archive that is not "
                                                           "a Word document")
