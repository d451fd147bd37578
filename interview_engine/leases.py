"""One lease mechanism for every request that changes a session: answer, stream and complete.

    claim (at the version read) -> work -> commit (version + 1, lease dropped) -> or release

`Leases.hold()` is that protocol as a context manager: whatever happens inside, the lease is released
unless the commit went through, and anyone waiting for the session is woken.

A lease names its holder: this process, by host, boot id, pid and the pid's start time. A claimant
that meets a lease held by a process on the same machine that no longer exists (killed, crashed, the
machine rebooted) takes it over at once, so a session interrupted by `kill -9` is answerable as soon as
a worker is back. A holder on another machine cannot be checked: its lease is kept alive by a renewer
thread while it works (every third of SESSION_LOCK_SECONDS) and lapses SESSION_LOCK_SECONDS after its
process stops renewing. Graceful shutdown releases whatever this process still holds.

Taking over a lease can never let two writes succeed: a commit needs the token *and* the version the
claim was made at, so the displaced holder's commit simply fails.

Waiting for a session another request holds (a stream waiting for the question another stream is
generating, `complete` waiting for an answer being scored) never holds a thread: `wait_async` awaits a
notification from this process's commits and releases, or, for a holder in another worker process,
polls the store with a growing interval.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple

from .storage import Storage, StoredSession

log = logging.getLogger("interview.leases")

POLL_FIRST = 0.02   # seconds before the first re-check when the holder is in another process
POLL_MAX = 0.5      # the interval grows to this


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_ticks(pid: int) -> Optional[str]:
    """The process's start time (clock ticks since boot), which tells a pid reused by a new process apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def process_identity() -> str:
    """host|boot id|pid|start time: unique to this process, checkable from the same machine."""
    pid = os.getpid()
    return "|".join((socket.gethostname(), _boot_id(), str(pid), _start_ticks(pid) or ""))


def _process_of(holder: str) -> str:
    return "|".join(holder.split("|")[:4])


def holder_is_dead(holder: Optional[str], me: Optional[str] = None) -> bool:
    """True only when the holder is known to be gone: a process of this machine that no longer runs
    (or whose pid now belongs to another process), or a boot of this machine that has ended."""
    if not holder:
        return False
    parts = holder.split("|")
    if len(parts) < 4:
        return False
    host, boot, pid, started = parts[:4]
    mine = (me or process_identity()).split("|")
    if host != mine[0]:
        return False  # another machine: its lease lapses when it stops renewing
    if boot and mine[1] and boot != mine[1]:
        return True  # this machine has rebooted since
    try:
        pid_n = int(pid)
    except ValueError:
        return False
    if started and mine[1]:  # Linux: compare start times, so a reused pid is not mistaken for the holder
        return _start_ticks(pid_n) != started
    try:
        os.kill(pid_n, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


class SessionBusy(Exception):
    """The session is held by another request (changed=False), or moved on since it was read (changed=True)."""

    def __init__(self, changed: bool):
        super().__init__("changed" if changed else "busy")
        self.changed = changed


class Lease:
    def __init__(self, leases: "Leases", key: str, version: int, token: str):
        self._leases = leases
        self.key = key
        self.version = version
        self.token = token
        self.committed = False
        self.closed = False

    def commit(self, data: dict, expires_at: float) -> bool:
        """Write the session as version+1 and drop the lease. False: the lease was lost (taken over after
        it lapsed, released at shutdown, or the session was erased); nothing was written."""
        self.committed = self._leases.store.commit_session(self.key, self.version, self.token, data, expires_at)
        return self.committed

    def close(self) -> None:
        """Release unless committed; wake whoever waits for this session. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        try:
            if not self.committed:
                self._leases.store.release_session(self.key, self.token)
        finally:
            self._leases._forget(self)
            self._leases.notify(self.key)

    def __enter__(self) -> "Lease":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Leases:
    def __init__(self, store: Storage, clock: Callable[[], float], seconds: float):
        self.store = store
        self.clock = clock
        self.seconds = seconds
        # This process, plus a nonce: two services in one process (tests, tools) release only their own.
        self.holder = f"{process_identity()}|{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._held: Dict[str, Lease] = {}  # token -> lease, for renewal and shutdown
        self._cond = threading.Condition(self._lock)
        self._generation: Dict[str, int] = {}  # key -> notifications so far (sync waiters)
        self._async_waiters: Dict[str, Set[Tuple[asyncio.AbstractEventLoop, asyncio.Future]]] = {}
        self._renewer: Optional[threading.Thread] = None
        self._stop = threading.Event()

    # Claiming ----------------------------------------------------------------------------------
    def claim(self, stored: StoredSession) -> Optional[Lease]:
        """The lease at the version read, or None when another request holds it or the session moved on.
        A lease whose holder is known to be dead is taken over."""
        key, version = stored.session_id, stored.version
        token = uuid.uuid4().hex
        for _ in range(2):  # once more if the lease was released between the claim and the look
            if self.store.claim_session(key, version, token, self.clock() + self.seconds, holder=self.holder):
                return self._register(key, version, token)
            current = self.store.get_session(key)
            if current is None or current.version != version:
                return None
            if current.lock_token:
                break
        else:
            return None
        if current.lock_holder and _process_of(current.lock_holder) != _process_of(self.holder) \
                and holder_is_dead(current.lock_holder, self.holder):
            if self.store.claim_session(key, version, token, self.clock() + self.seconds, holder=self.holder,
                                        stale_token=current.lock_token):
                log.info("lease taken over from a dead holder", extra={"holder": current.lock_holder.split("|")[2]})
                return self._register(key, version, token)
        return None

    @contextmanager
    def hold(self, stored: StoredSession) -> Iterator[Lease]:
        """claim -> the block -> release unless the block committed. Raises SessionBusy when not claimed."""
        lease = self.claim(stored)
        if lease is None:
            current = self.store.get_session(stored.session_id)
            raise SessionBusy(changed=current is None or current.version != stored.version)
        with lease:
            yield lease

    def _register(self, key: str, version: int, token: str) -> Lease:
        lease = Lease(self, key, version, token)
        with self._lock:
            self._held[token] = lease
            if self._renewer is None or not self._renewer.is_alive():
                self._renewer = threading.Thread(target=self._renew_loop, name="lease-renewer", daemon=True)
                self._renewer.start()
        return lease

    def _forget(self, lease: Lease) -> None:
        with self._lock:
            self._held.pop(lease.token, None)

    def _renew_loop(self) -> None:
        """Keeps this process's leases alive while it works, so a lease can be short and a holder on
        another machine that dies loses it within SESSION_LOCK_SECONDS."""
        while not self._stop.wait(self.seconds / 3):
            with self._lock:
                held: List[Lease] = list(self._held.values())
            for lease in held:
                try:
                    self.store.renew_session(lease.key, lease.token, self.clock() + self.seconds)
                except Exception as exc:  # the store is briefly unreachable: try again next round
                    log.warning("lease renewal failed", extra={"error": type(exc).__name__})

    # Waiting -----------------------------------------------------------------------------------
    def notify(self, key: str) -> None:
        """A session's lease was committed or released in this process: wake its waiters now."""
        with self._cond:
            if len(self._generation) > 10_000:  # bounded; a waiter then just looks once more
                self._generation.clear()
            self._generation[key] = self._generation.get(key, 0) + 1
            self._cond.notify_all()
            waiters = list(self._async_waiters.get(key, ()))
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, fut)
            except RuntimeError:  # that loop has closed
                pass

    def seen(self, key: str) -> int:
        """Take this before looking at a session, and pass it to wait: a release in between is not missed."""
        with self._lock:
            return self._generation.get(key, 0)

    def wait(self, key: str, deadline: float, attempt: int = 0, since: Optional[int] = None) -> None:
        """Blocks the calling thread until notified or the next poll is due (for in-process callers)."""
        timeout = min(_poll(attempt), max(0.0, deadline - time.monotonic()))
        with self._cond:
            seen = self._generation.get(key, 0) if since is None else since
            self._cond.wait_for(lambda: self._generation.get(key, 0) != seen, timeout)

    async def wait_async(self, key: str, deadline: float, attempt: int = 0, since: Optional[int] = None) -> None:
        """Awaits a notification or the next poll, holding no thread."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future = loop.create_future()
        entry = (loop, fut)
        with self._lock:
            if since is not None and self._generation.get(key, 0) != since:
                return
            self._async_waiters.setdefault(key, set()).add(entry)
        try:
            timeout = min(_poll(attempt), max(0.0, deadline - time.monotonic()))
            await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                waiters = self._async_waiters.get(key)
                if waiters is not None:
                    waiters.discard(entry)
                    if not waiters:
                        del self._async_waiters[key]

    # Shutdown ----------------------------------------------------------------------------------
    def release_all(self) -> int:
        """Graceful shutdown: drop every lease this process still holds, so no session waits for it."""
        self._stop.set()
        with self._lock:
            held = list(self._held.values())
        released = 0
        try:
            released = self.store.release_holder(self.holder)
        except Exception as exc:
            log.warning("could not release leases at shutdown", extra={"error": type(exc).__name__})
        for lease in held:
            lease.closed = True
            self._forget(lease)
            self.notify(lease.key)
        if released:
            log.info("leases released at shutdown", extra={"count": released})
        return released

    def held_count(self) -> int:
        with self._lock:
            return len(self._held)


def _poll(attempt: int) -> float:
    return min(POLL_MAX, POLL_FIRST * (2 ** min(attempt, 10)))


def _resolve(fut: asyncio.Future) -> None:
    if not fut.done():
        fut.set_result(None)
