"""
Where cached pages live: entries in the default cache, stamped with the content version, and
this worker's copy of them. Any change to the site's content changes the version, so every
stored page is stale at once (docs/architecture.md, "Content version").
"""

import hashlib
import logging
import math
import os
import secrets
import tempfile
import time
from functools import cache as memoize
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver

logger = logging.getLogger(__name__)

VERSION_KEY = "page-cache:version"
# A cache that is down costs speed, never a page: patients get it rendered.
# Any Redis error (down, timed out, out of memory under `noeviction`) means "uncached".
CACHE_DOWN = (redis.exceptions.RedisError,)
# With Redis, how often a worker reads the content version again (see _WorkerCopy).
VERSION_RECHECK_SECONDS = 1.0


def invalidate_public_pages():
    """Make every cached page stale, now and again when the current transaction commits.

    Now, so the change shows at once to code running in this transaction; on commit, because
    another worker may have re-rendered and stored a page from the old, not yet committed
    data in between.
    """
    _bump_version()
    transaction.on_commit(_bump_version)


def lookup(key):
    """The current content version and the entry stored under `key` if it is current.

    (None, None) when the cache is unreachable: the page is rendered and not stored.
    """
    try:
        return _lookup_or_raise(key)
    except CACHE_DOWN as error:
        logger.warning("Page cache unavailable (%s); serving %s uncached", error, key)
        return None, None


def store(key, entry, *, path):
    """
    Keep `entry` under `key`; True if it was kept. Its first item is the content version, its
    last the Unix time it goes out of date (None: only when the content changes); the rest
    is the middleware's.
    """
    timeout = settings.PAGE_CACHE_SECONDS
    if entry[-1] is not None:
        timeout = max(1, min(timeout, math.ceil(entry[-1] - time.time())))
    try:
        cache.set(key, entry, timeout)
    except CACHE_DOWN as error:
        logger.warning("Page cache unavailable (%s); %s not stored", error, path)
        return False
    if not _version_in_file():
        _worker.remember(key, entry)
    return True


def is_past(moment):
    """Whether the Unix time `moment` has come (None never comes)."""
    return isinstance(moment, float) and moment <= time.time()


def forget_worker_copies():
    """Drop this worker's copies (tests do, with the cache, between tests)."""
    _worker.forget()


def _lookup_or_raise(key):
    if _version_in_file():
        version = _file_version()
        entry = cache.get(key)
    elif _worker.version_is_fresh():
        # Redis, version read less than a second ago: this worker's copy, else one trip.
        version = _worker.version
        entry = _worker.pages.get(key)
        if entry is None or not _is_current(entry, version):
            entry = cache.get(key)
    else:
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            version = _init_cache_version()
        _worker.set_version(version)
        entry = found.get(key)
    if version is None or (entry is not None and not _is_current(entry, version)):
        entry = None
    if entry is not None and not _version_in_file():
        _worker.remember(key, entry)
    return version, entry


def _is_current(entry, version):
    """
    Stored at this content version and not out of date. The time is checked here because
    the cache's own timeout is in whole seconds and this worker's copies have none.
    """
    # An older release's entry has no time at its end (is_past says no): replay refuses it.
    return entry[0] == version and not is_past(entry[-1])


def _version_in_file():
    # `cache` is a proxy; the backend itself says whether the cache is this process's own.
    return isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache)


def _new_version():
    return secrets.token_hex(8)


def _init_cache_version():
    cache.add(VERSION_KEY, _new_version(), timeout=None)
    return cache.get(VERSION_KEY)


def _bump_version():
    if not _version_in_file():
        version = _new_version()
        _worker.set_version(version)
        try:
            cache.set(VERSION_KEY, version, timeout=None)
        except CACHE_DOWN:
            # The edit is saved; only the cache couldn't be told. Stored pages expire
            # within PAGE_CACHE_SECONDS (and a restarted Redis usually starts empty).
            logger.exception("Page cache not invalidated: pages may be stale for a while")
        return
    path = stamp_path()
    try:
        path.touch()
        # Set the time explicitly: the clock the kernel stamps files with can be coarser than
        # two edits in a row.
        now = max(time.time_ns(), path.stat().st_mtime_ns + 1)
        os.utime(path, ns=(now, now))
    except OSError:
        logger.exception("Could not update the page cache stamp file %s", path)


class _WorkerCopy:
    """
    With Redis, this worker's copy of the content version and of the pages it has served at
    that version, so most hits need no trip to Redis. The version is read again from Redis
    at most every VERSION_RECHECK_SECONDS, so an edit saved through another worker or server
    shows here within that time; through this worker, at once.
    """

    MAX_PAGES = 500  # about 10 MB at most; forgotten all at once when full

    def __init__(self):
        self.forget()

    def forget(self):
        self.version = None
        self.read_at = float("-inf")
        self.pages = {}

    def version_is_fresh(self):
        return (
            self.version is not None and time.monotonic() - self.read_at < VERSION_RECHECK_SECONDS
        )

    def set_version(self, version):
        if version != self.version:
            self.pages = {}
        self.version = version
        self.read_at = time.monotonic()

    def remember(self, key, entry):
        if entry[0] != self.version:
            return
        if len(self.pages) >= self.MAX_PAGES:
            self.pages = {}
        self.pages[key] = entry


_worker = _WorkerCopy()


@receiver(setting_changed)
def _cache_settings_changed(*, setting, **kwargs):
    if setting in ("CACHES", "PAGE_CACHE_SECONDS"):
        _worker.forget()


def _file_version():
    """The stamp file's modification time, or None (cache unusable) if it can't be read."""
    path = stamp_path()
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        _bump_version()
    try:
        return path.stat().st_mtime_ns
    except OSError:
        logger.exception("Page cache off: cannot read its stamp file %s", path)
        return None


def stamp_path():
    """The stamp file whose modification time is the content version without Redis."""
    database = settings.DATABASES["default"]
    return _stamp_path_for(
        f"{settings.BASE_DIR}|{database.get('HOST', '')}|{database.get('NAME', '')}"
    )


@memoize
def _stamp_path_for(content_source):
    # One stamp per checkout and database: every worker serving the same content shares it,
    # while `make run`, the bench and test runs, each on a database of its own, don't bump
    # each other's.
    digest = hashlib.blake2b(content_source.encode(), digest_size=8).hexdigest()
    return Path(tempfile.gettempdir()) / f"clinic-page-cache-{digest}.stamp"
