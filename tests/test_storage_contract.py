"""One contract suite, run against each storage backend: real SQLite and a real MongoDB-protocol server."""
from __future__ import annotations

import threading

import pytest

from interview_engine.storage import make_storage


@pytest.fixture
def store(make_settings, clock):
    s = make_storage(make_settings(), clock=clock)
    yield s
    s.close()


def test_create_is_insert_if_absent(store, clock):
    assert store.create_session("s1", {"user_id": "u", "n": 1}, clock() + 100)
    assert not store.create_session("s1", {"user_id": "u", "n": 2}, clock() + 100)
    got = store.get_session("s1")
    assert got.data["n"] == 1 and got.version == 1


def test_missing_session_is_none(store):
    assert store.get_session("nope") is None


def test_claim_commit_and_version(store, clock):
    store.create_session("s1", {"user_id": "u", "n": 1}, clock() + 100)
    assert store.claim_session("s1", 1, "a", clock() + 10)
    assert not store.claim_session("s1", 1, "b", clock() + 10), "a held lease must block other claimants"
    assert not store.commit_session("s1", 1, "b", {"n": 99}, clock() + 100), "only the lease holder commits"
    assert store.commit_session("s1", 1, "a", {"user_id": "u", "n": 2}, clock() + 100)
    got = store.get_session("s1")
    assert got.version == 2 and got.data["n"] == 2 and got.lock_token is None
    assert not store.claim_session("s1", 1, "c", clock() + 10), "a stale version cannot be claimed"
    assert store.claim_session("s1", 2, "c", clock() + 10)


def test_release_lets_others_claim(store, clock):
    store.create_session("s1", {"user_id": "u"}, clock() + 100)
    assert store.claim_session("s1", 1, "a", clock() + 10)
    store.release_session("s1", "a")
    assert store.claim_session("s1", 1, "b", clock() + 10)


def test_lapsed_lease_can_be_taken_over(store, clock):
    store.create_session("s1", {"user_id": "u"}, clock() + 1000)
    assert store.claim_session("s1", 1, "crashed", clock() + 10)
    clock.advance(11)
    assert store.claim_session("s1", 1, "next", clock() + 10)
    assert not store.commit_session("s1", 1, "crashed", {"n": 1}, clock() + 100)


def test_exactly_one_of_many_racing_claims_wins(store, clock):
    store.create_session("race", {"user_id": "u"}, clock() + 100)
    barrier = threading.Barrier(8)
    wins = []

    def claim(i):
        barrier.wait()
        if store.claim_session("race", 1, f"t{i}", clock() + 10):
            wins.append(i)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(wins) == 1


def test_sessions_expire_by_the_clock(store, clock):
    store.create_session("s1", {"user_id": "u"}, clock() + 60)
    clock.advance(59)
    assert store.get_session("s1") is not None
    clock.advance(2)
    assert store.get_session("s1") is None
    assert not store.claim_session("s1", 1, "a", clock() + 10)
    # An expired id can be used again for a new session.
    assert store.create_session("s1", {"user_id": "u", "fresh": True}, clock() + 60)
    assert store.get_session("s1").data["fresh"] is True


def test_purge_removes_expired_sessions_and_cache(store, clock):
    store.create_session("old", {"user_id": "u"}, clock() + 10)
    store.create_session("new", {"user_id": "u"}, clock() + 1000)
    store.cache_put("k", {"v": 1}, clock() + 10)
    clock.advance(20)
    assert store.purge_expired() == ["old"]
    assert store.get_session("new") is not None
    assert store.cache_get("k") is None


def test_cache_roundtrip_and_expiry(store, clock):
    assert store.cache_get("k") is None
    store.cache_put("k", {"skills": ["python"]}, clock() + 100)
    assert store.cache_get("k") == {"skills": ["python"]}
    store.cache_put("k", {"skills": ["go"]}, clock() + 100)
    assert store.cache_get("k") == {"skills": ["go"]}
    clock.advance(101)
    assert store.cache_get("k") is None


def test_metrics_accumulate_and_reset(store):
    snap = store.metrics_snapshot()
    assert snap["llm_calls"]["count"] == 0 and snap["cache_hits"]["count"] == 0
    for v in (0.5, 0.1, 0.3):
        store.observe("llm_calls", v)
    store.incr("cache_hits")
    store.incr("cache_hits", 2)
    snap = store.metrics_snapshot()
    assert snap["llm_calls"]["count"] == 3
    assert snap["llm_calls"]["min"] == pytest.approx(0.1)
    assert snap["llm_calls"]["max"] == pytest.approx(0.5)
    assert snap["llm_calls"]["sum"] == pytest.approx(0.9)
    assert snap["cache_hits"]["count"] == 3
    store.metrics_reset()
    assert store.metrics_snapshot()["llm_calls"]["count"] == 0


def test_metric_counts_are_exact_under_concurrency(store):
    def work():
        for _ in range(25):
            store.observe("api_requests", 0.01)

    threads = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert store.metrics_snapshot()["api_requests"]["count"] == 100


def test_mongo_uses_ttl_indexes(mongo_uri):
    from interview_engine.storage.mongo import MongoStorage

    store = MongoStorage(mongo_uri, "ttl_check", session_ttl_seconds=86400)
    for coll in (store.sessions, store.cache):
        ttl = [i for i in coll.index_information().values() if "expireAfterSeconds" in i]
        assert ttl and ttl[0]["key"] == [("expires_at", 1)] and ttl[0]["expireAfterSeconds"] == 0
    store.close()


def test_sessions_are_found_by_owner_user_and_document(store, clock):
    def data(owner, user, cv_doc=None, jd_doc=None):
        return {"user_id": user, "owner": owner,
                "sources": {"cv": {"doc_id": cv_doc}, "jd": {"doc_id": jd_doc}}}

    store.create_session("s1", data(None, "u1", cv_doc="d1"), clock() + 100)
    store.create_session("s2", data(None, "u1"), clock() + 100)
    store.create_session("s3", data(None, "u2", jd_doc="d1"), clock() + 100)
    store.create_session("acme/s1", data("acme", "u1", cv_doc="d1"), clock() + 100)
    assert store.session_keys(None, user_id="u1") == ["s1", "s2"]
    assert store.session_keys(None, doc_id="d1") == ["s1", "s3"]
    assert store.session_keys("acme", user_id="u1") == ["acme/s1"]
    assert store.session_keys("acme", doc_id="d1") == ["acme/s1"]
    assert store.session_keys("globex") == []
    clock.advance(101)  # expired but not purged: still found, so erasure can reach it
    assert store.get_session("s1") is None and store.get_session("s1", include_expired=True) is not None
    assert store.session_keys(None, user_id="u1") == ["s1", "s2"]
    assert store.delete_session("s1") and not store.delete_session("s1")


def test_cache_entries_are_deleted_by_what_they_came_from(store, clock):
    store.cache_put("k1", {"v": 1}, clock() + 100, owner=None, digest="h1")
    store.cache_put("k2", {"v": 2}, clock() + 100, owner=None, digest="h2", doc_id="d1")
    store.cache_put("k3", {"v": 3}, clock() + 100, owner="acme", digest="h1")
    assert store.cache_delete(None, digests=["h1"]) == 1
    assert store.cache_get("k1") is None and store.cache_get("k3") == {"v": 3}  # another owner's entry stays
    assert store.cache_delete(None, doc_ids=["d1"]) == 1 and store.cache_get("k2") is None
    assert store.cache_delete("acme") == 0


def test_documents_carry_owner_and_user(store):
    base = {"kind": "cv", "text": "Python engineer", "created_at": 1.0, "updated_at": 1.0}
    store.put_document({**base, "id": "a1b2c3d4e5f6a1b2c3d4e5f6", "owner": "acme", "user_id": "u1"})
    store.put_document({**base, "id": "b1b2c3d4e5f6a1b2c3d4e5f6", "owner": None, "user_id": "u1"})
    got = store.get_document("a1b2c3d4e5f6a1b2c3d4e5f6")
    assert got["owner"] == "acme" and got["user_id"] == "u1"
    assert store.document_ids("acme", "u1") == ["a1b2c3d4e5f6a1b2c3d4e5f6"]
    assert store.document_ids(None, "u1") == ["b1b2c3d4e5f6a1b2c3d4e5f6"]
    assert store.document_ids(None, "u2") == []


def test_rate_limit_storage_is_shared_and_exact(make_settings, clock):
    """Two store objects on one database (two workers) share one moving window, and racing threads can
    never take more slots than the limit."""
    from limits import parse
    from limits.strategies import MovingWindowRateLimiter

    a, b = make_storage(make_settings(), clock=clock), make_storage(make_settings(), clock=clock)
    try:
        item = parse("10/minute")
        la, lb = MovingWindowRateLimiter(a.rate_limit_storage()), MovingWindowRateLimiter(b.rate_limit_storage())
        wins = []
        barrier = threading.Barrier(8)

        def hammer(limiter):
            barrier.wait()
            for _ in range(4):
                wins.append(limiter.hit(item, "start", "addr:1.2.3.4"))

        threads = [threading.Thread(target=hammer, args=(la if i % 2 else lb,)) for i in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert wins.count(True) == 10 and wins.count(False) == 22
        stats = la.get_window_stats(item, "start", "addr:1.2.3.4")
        assert stats.remaining == 0 and 0 < stats.reset_time - __import__("time").time() <= 60
        assert lb.hit(item, "start", "addr:5.6.7.8")  # another caller has its own window
    finally:
        a.close()
        b.close()


def test_documents_roundtrip_replace_and_delete(store):
    doc = {"id": "64b000000000000000000001", "kind": "cv", "text": "Python engineer", "filename": "cv.pdf",
           "format": "pdf", "pages": 2, "created_at": 1.0, "updated_at": 1.0}
    store.put_document(doc)
    got = store.get_document(doc["id"])
    assert got["text"] == "Python engineer" and got["kind"] == "cv" and got["pages"] == 2
    assert store.get_document(doc["id"], "jd") is None  # a CV id is not a job description
    store.put_document({**doc, "text": "Go engineer", "updated_at": 2.0})
    assert store.get_document(doc["id"], "cv")["text"] == "Go engineer"
    assert store.delete_document(doc["id"]) and store.get_document(doc["id"]) is None
    assert not store.delete_document(doc["id"])


def test_documents_accept_any_string_id(store):
    store.put_document({"id": "acme-cv/42", "kind": "jd", "text": "Nurse wanted", "created_at": 1.0})
    assert store.get_document("acme-cv/42")["text"] == "Nurse wanted"
    assert store.get_document('{"$ne": null}') is None  # an id is only ever a literal


def test_mongo_reads_documents_an_integrator_wrote(mongo_uri):
    """Documents written straight into `resumes` with a native ObjectId are found by its hex string."""
    from bson import ObjectId
    from pymongo import MongoClient

    from interview_engine import Settings

    db_name = "t_integrator"
    oid = ObjectId()
    MongoClient(mongo_uri)[db_name]["resumes"].insert_one({"_id": oid, "text": "Kafka engineer", "owner": "hr"})
    store = make_storage(Settings(MONGODB_URI=mongo_uri, MONGODB_DB=db_name))
    try:
        got = store.get_document(str(oid), "cv")
        assert got == {**got, "id": str(oid), "kind": "cv", "text": "Kafka engineer"}
        assert store.get_document(str(oid), "jd") is None
    finally:
        store.close()


def test_list_sessions_returns_one_users_live_sessions_oldest_first(store, clock):
    store.create_session("b", {"user_id": "u", "created_at": 2.0}, clock() + 100)
    store.create_session("a", {"user_id": "u", "created_at": 1.0}, clock() + 100)
    store.create_session("c", {"user_id": "other", "created_at": 0.5}, clock() + 100)
    store.create_session("old", {"user_id": "u", "created_at": 0.1}, clock() + 10)
    assert [s.session_id for s in store.list_sessions("u")] == ["old", "a", "b"]
    clock.advance(11)
    assert [s.session_id for s in store.list_sessions("u")] == ["a", "b"]  # expired ones are gone
    assert [s.session_id for s in store.list_sessions("u", limit=1)] == ["b"]  # the newest within the limit
    assert store.list_sessions("nobody") == []
    # With API keys, another owner's sessions of the same user_id stay out of the list.
    store.create_session("acme/a", {"user_id": "u", "owner": "acme", "created_at": 3.0}, clock() + 100)
    assert [s.session_id for s in store.list_sessions("u")] == ["a", "b"]
    assert [s.session_id for s in store.list_sessions("u", owner="acme")] == ["acme/a"]


# The compact stored form reads back as written ---------------------------------------------------------------
def _answered_session() -> dict:
    from interview_engine.evaluation import evaluate_answer
    from conftest import FIXTURES, STRONG_ANSWER

    jd = (FIXTURES / "jd_backend.txt").read_text()
    rich = evaluate_answer("Tell me about a time you used Kafka.", STRONG_ANSWER, role="Backend Engineer", jd_text=jd)
    capped = evaluate_answer("How do you run Kubernetes upgrades safely?", "I am not sure, maybe.",
                             role="Backend Engineer", jd_text=jd)  # thin: capped rules, notes that repeat rules
    words = [[w, round(0.37 * i, 6), round(0.37 * i + 0.3, 6), 0.91234] for i, w in enumerate("We moved it".split())]
    voice = {"fluency_score": 8.0, "evidence": {"pace": "150 wpm", "fillers_note": "kept as it was", "note": "also"}}
    return {"user_id": "u", "messages": [
        {"role": "interviewer", "content": "Q1", "timestamp": 1.0, "metadata": {"stage": "intro"}},
        {"role": "candidate", "content": STRONG_ANSWER, "timestamp": 2.0,
         "metadata": {"evidence": rich.evidence.model_dump(), "evaluation": {"clarity": rich.clarity}}},
        {"role": "candidate", "content": "We moved it", "timestamp": 3.0,
         "metadata": {"evidence": capped.evidence.model_dump(), "voice_metrics": voice,
                      "transcription": {"words": words, "unsupported_words": [
                          {"word": "moved", "at": 0.37, "probability": 0.2, "plain_probability": 0.1}]}}}]}


def test_a_session_reads_back_as_written_from_its_compact_form(store, clock):
    data = _answered_session()
    assert any(r.get("cap") for r in data["messages"][2]["metadata"]["evidence"]["rules"])
    store.create_session("s1", data, clock() + 100)
    got = store.get_session("s1").data
    assert got["messages"][:2] == data["messages"][:2]
    meta, want = got["messages"][2]["metadata"], data["messages"][2]["metadata"]
    assert meta["evidence"] == want["evidence"] and meta["voice_metrics"] == want["voice_metrics"]
    assert meta["transcription"]["unsupported_words"] == want["transcription"]["unsupported_words"]
    # Word timings come back to 10 ms and probabilities to 0.01: what the transcript view shows.
    assert [w[0] for w in meta["transcription"]["words"]] == ["We", "moved", "it"]
    for (_, s, e, p), (_, s0, e0, p0) in zip(meta["transcription"]["words"], want["transcription"]["words"]):
        assert abs(s - s0) <= 0.005 and abs(e - e0) <= 0.01 and abs(p - p0) <= 0.005
    assert store.claim_session("s1", 1, "t", clock() + 10)
    assert store.commit_session("s1", 1, "t", got, clock() + 100)  # read, written again: the same
    assert store.get_session("s1").data == got


def test_sessions_stored_before_the_compact_form_read_unchanged(store, clock):
    """A session written by an earlier version (evidence as plain dicts) is read as it was."""
    data = _answered_session()
    if store.backend == "sqlite":
        import json

        with store._conn() as conn:
            conn.execute("INSERT INTO sessions (session_id, user_id, owner, version, expires_at, data) "
                         "VALUES (?, ?, ?, 1, ?, ?)", ("old", "u", None, clock() + 100, json.dumps(data)))
    else:
        import datetime as dt

        store.sessions.insert_one({"_id": "old", "user_id": "u", "owner": None, "version": 1, "lock_token": None,
                                   "lock_until": None, "data": data,
                                   "expires_at": dt.datetime.fromtimestamp(clock() + 100, dt.timezone.utc)})
    assert store.get_session("old").data == data
