"""MongoDB storage through pymongo. TTL indexes expire sessions and cached analyses server-side."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Sequence

from bson import ObjectId
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from . import codec
from .base import (COUNTER_NAMES, LEGACY_CHECKPOINT_COLLECTIONS, METRIC_NAMES, Clock, StoredSession, empty_metric,
                   system_clock)

log = logging.getLogger("interview.storage")


def _to_dt(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc)


def _to_ts(value: Any) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.timestamp()
    return float(value or 0)


def _epoch(value: Any) -> Optional[float]:
    """Timestamps as epoch seconds, also when an integrator's system wrote BSON dates."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
    return value if isinstance(value, (int, float)) else None


def _stored(doc: Dict[str, Any]) -> StoredSession:
    return StoredSession(doc["_id"], codec.unpack(doc["data"]), int(doc["version"]), _to_ts(doc["expires_at"]),
                         doc.get("lock_token"), _to_ts(doc["lock_until"]) if doc.get("lock_until") else None,
                         doc.get("lock_holder"))


class MongoStorage:
    backend = "mongodb"

    def __init__(self, uri: str, db_name: str = "interview", clock: Clock = system_clock,
                 session_ttl_seconds: Optional[float] = None):
        self.clock = clock
        self.uri = uri
        self.client: MongoClient = MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)
        self.db = self.client[db_name]
        self.db_name = db_name
        self.sessions = self.db["sessions"]
        self.cache = self.db["analysis_cache"]
        self.metrics = self.db["metrics"]
        # Collections an integrator's own system can write to; the text lives in the field `text`.
        self.documents = {"cv": self.db["resumes"], "jd": self.db["job_descriptions"]}
        self._session_ttl = session_ttl_seconds
        self._rate_limits = None
        # expireAfterSeconds=0: each document carries its own expiry time.
        self.sessions.create_index("expires_at", expireAfterSeconds=0, name="sessions_ttl")
        self.cache.create_index("expires_at", expireAfterSeconds=0, name="analysis_cache_ttl")
        self.sessions.create_index([("owner", 1), ("user_id", 1)], name="sessions_owner_user")
        self.sessions.create_index("lock_holder", name="sessions_lock_holder", sparse=True)
        self.cache.create_index("digest", name="analysis_cache_digest")
        self.cache.create_index("doc_id", name="analysis_cache_doc_id")
        self._drop_legacy_checkpoints()
        # Cache entries from before they recorded their source cannot be found by erasure: drop them.
        self.cache.delete_many({"digest": {"$exists": False}})

    def _drop_legacy_checkpoints(self) -> None:
        """Earlier versions kept LangGraph checkpoints (a copy of the CV per step) in this database."""
        legacy = [c for c in LEGACY_CHECKPOINT_COLLECTIONS if c in self.db.list_collection_names()]
        for name in legacy:
            self.db.drop_collection(name)
        if legacy:
            log.info("dropped legacy LangGraph checkpoint collections", extra={"collections": legacy})

    def _now(self) -> dt.datetime:
        return _to_dt(self.clock())

    # Sessions -----------------------------------------------------------------------------
    def get_session(self, session_id: str, include_expired: bool = False) -> Optional[StoredSession]:
        query: Dict[str, Any] = {"_id": session_id}
        if not include_expired:
            query["expires_at"] = {"$gt": self._now()}
        doc = self.sessions.find_one(query)
        return None if doc is None else _stored(doc)

    def create_session(self, session_id: str, data: Dict[str, Any], expires_at: float) -> bool:
        doc = {"_id": session_id, "user_id": data.get("user_id"), "owner": data.get("owner"), "version": 1,
               "lock_token": None,
               "lock_until": None, "expires_at": _to_dt(expires_at), "data": codec.pack(data)}
        try:
            self.sessions.insert_one(doc)
            return True
        except DuplicateKeyError:
            # An expired session that the TTL monitor has not removed yet may be replaced.
            res = self.sessions.replace_one({"_id": session_id, "expires_at": {"$lte": self._now()}}, doc)
            return res.modified_count == 1

    def claim_session(self, session_id: str, version: int, token: str, lease_until: float,
                      holder: Optional[str] = None, stale_token: Optional[str] = None) -> bool:
        now = self._now()
        query: Dict[str, Any] = {"_id": session_id, "version": version, "expires_at": {"$gt": now}}
        if stale_token is not None:
            query["lock_token"] = stale_token
        else:
            query["$or"] = [{"lock_token": None}, {"lock_until": {"$lte": now}}]
        res = self.sessions.update_one(
            query, {"$set": {"lock_token": token, "lock_until": _to_dt(lease_until), "lock_holder": holder}})
        return res.modified_count == 1

    def renew_session(self, session_id: str, token: str, lease_until: float) -> bool:
        res = self.sessions.update_one({"_id": session_id, "lock_token": token},
                                       {"$set": {"lock_until": _to_dt(lease_until)}})
        return res.matched_count == 1

    def release_holder(self, holder: str) -> int:
        return self.sessions.update_many(
            {"lock_holder": holder}, {"$set": {"lock_token": None, "lock_until": None, "lock_holder": None}}
        ).modified_count

    def commit_session(self, session_id: str, version: int, token: str, data: Dict[str, Any],
                       expires_at: float) -> bool:
        res = self.sessions.update_one(
            {"_id": session_id, "version": version, "lock_token": token},
            {"$set": {"data": codec.pack(data), "expires_at": _to_dt(expires_at), "lock_token": None, "lock_until": None,
                      "lock_holder": None},
             "$inc": {"version": 1}})
        return res.modified_count == 1

    def release_session(self, session_id: str, token: str) -> None:
        self.sessions.update_one({"_id": session_id, "lock_token": token},
                                 {"$set": {"lock_token": None, "lock_until": None, "lock_holder": None}})

    def delete_session(self, session_id: str) -> bool:
        return self.sessions.delete_one({"_id": session_id}).deleted_count == 1

    def session_keys(self, owner: Optional[str], user_id: Optional[str] = None,
                     doc_id: Optional[str] = None) -> List[str]:
        query: Dict[str, Any] = {"owner": owner}
        if user_id is not None:
            query["user_id"] = user_id
        if doc_id is not None:
            query["$or"] = [{"data.sources.cv.doc_id": doc_id}, {"data.sources.jd.doc_id": doc_id}]
        return sorted(d["_id"] for d in self.sessions.find(query, {"_id": 1}))

    def list_sessions(self, user_id: str, owner: Optional[str] = None, limit: int = 500) -> List[StoredSession]:
        docs = self.sessions.find({"user_id": user_id, "owner": owner, "expires_at": {"$gt": self._now()}}) \
            .sort("data.created_at", -1).limit(limit)
        found = [_stored(d) for d in docs]
        return sorted(found, key=lambda s: s.data.get("created_at") or 0.0)

    def purge_expired(self) -> List[str]:
        now = self._now()
        ids = [d["_id"] for d in self.sessions.find({"expires_at": {"$lte": now}}, {"_id": 1})]
        if ids:
            self.sessions.delete_many({"_id": {"$in": ids}, "expires_at": {"$lte": now}})
        self.cache.delete_many({"expires_at": {"$lte": now}})
        return ids

    # Analysis cache ------------------------------------------------------------------------
    def cache_get(self, key: str) -> Optional[Dict[str, Any]]:
        doc = self.cache.find_one({"_id": key, "expires_at": {"$gt": self._now()}})
        return doc["value"] if doc else None

    def cache_put(self, key: str, value: Dict[str, Any], expires_at: float, owner: Optional[str] = None,
                  digest: Optional[str] = None, doc_id: Optional[str] = None) -> None:
        self.cache.replace_one({"_id": key}, {"_id": key, "value": value, "expires_at": _to_dt(expires_at),
                                              "owner": owner, "digest": digest, "doc_id": doc_id}, upsert=True)

    def cache_delete(self, owner: Optional[str], digests: Sequence[str] = (), doc_ids: Sequence[str] = ()) -> int:
        ors = ([{"digest": {"$in": list(digests)}}] if digests else []) + \
              ([{"doc_id": {"$in": list(doc_ids)}}] if doc_ids else [])
        if not ors:
            return 0
        return self.cache.delete_many({"owner": owner, "$or": ors}).deleted_count

    # Documents ----------------------------------------------------------------------------
    @staticmethod
    def _id_forms(doc_id: str) -> list:
        forms: list = [doc_id]
        if ObjectId.is_valid(doc_id):
            forms.append(ObjectId(doc_id))  # documents written by other systems use native ObjectIds
        return forms

    def put_document(self, doc: Dict[str, Any]) -> None:
        coll = self.documents[doc["kind"]]
        existing = coll.find_one({"_id": {"$in": self._id_forms(doc["id"])}}, {"_id": 1})
        _id = existing["_id"] if existing else (ObjectId(doc["id"]) if ObjectId.is_valid(doc["id"]) else doc["id"])
        body = {k: v for k, v in doc.items() if k != "id"}
        coll.replace_one({"_id": _id}, {"_id": _id, **body}, upsert=True)

    def get_document(self, doc_id: str, kind: Optional[str] = None) -> Optional[Dict[str, Any]]:
        for k in ([kind] if kind else ["cv", "jd"]):
            doc = self.documents[k].find_one({"_id": {"$in": self._id_forms(doc_id)}})
            if doc is not None:
                text = doc.get("text") or doc.get("content") or ""
                return {"id": str(doc["_id"]), "kind": k, "text": text, "filename": doc.get("filename"),
                        "format": doc.get("format"), "pages": doc.get("pages"),
                        "created_at": _epoch(doc.get("created_at")), "updated_at": _epoch(doc.get("updated_at")),
                        "owner": doc.get("owner"), "user_id": doc.get("user_id")}
        return None

    def delete_document(self, doc_id: str) -> bool:
        for coll in self.documents.values():
            if coll.delete_one({"_id": {"$in": self._id_forms(doc_id)}}).deleted_count:
                return True
        return False

    def document_ids(self, owner: Optional[str], user_id: str) -> List[str]:
        return sorted(str(d["_id"]) for coll in self.documents.values()
                      for d in coll.find({"owner": owner, "user_id": user_id}, {"_id": 1}))

    # Erasure ------------------------------------------------------------------------------
    def flush_deleted(self) -> None:
        """Nothing to do from a client: a deleted document is gone from every collection at once (the
        server's own storage engine reclaims its space)."""

    # Metrics ------------------------------------------------------------------------------
    def observe(self, name: str, value: float) -> None:
        self.metrics.update_one({"_id": name}, {"$inc": {"count": 1, "sum": float(value)},
                                                "$min": {"min": float(value)}, "$max": {"max": float(value)}},
                                upsert=True)

    def incr(self, name: str, n: int = 1) -> None:
        self.metrics.update_one({"_id": name}, {"$inc": {"count": n}}, upsert=True)

    def metrics_snapshot(self) -> Dict[str, Dict[str, float]]:
        out = {n: empty_metric() for n in METRIC_NAMES + COUNTER_NAMES}
        for doc in self.metrics.find({}):
            out[doc["_id"]] = {"count": int(doc.get("count", 0)), "sum": float(doc.get("sum", 0.0)),
                               "min": float(doc.get("min", 0.0)), "max": float(doc.get("max", 0.0))}
        return out

    def metrics_reset(self) -> None:
        self.metrics.delete_many({})

    # Rate limits --------------------------------------------------------------------------
    def rate_limit_storage(self):
        """`limits`' own MongoDB storage, in this database (collections `rate_limit_windows` and
        `rate_limit_counters`, expired by TTL indexes)."""
        if self._rate_limits is None:
            from limits.storage import MongoDBStorage

            self._rate_limits = MongoDBStorage(self.uri, database_name=self.db_name,
                                               counter_collection_name="rate_limit_counters",
                                               window_collection_name="rate_limit_windows",
                                               serverSelectionTimeoutMS=5000)
        return self._rate_limits

    def ping(self) -> bool:
        self.client.admin.command("ping")
        return True

    def close(self) -> None:
        if self._rate_limits is not None and self._rate_limits._storage is not None:
            self._rate_limits._storage.close()
        self.client.close()

