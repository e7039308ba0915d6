"""SQLite's commits in a process of their own, with its own interpreter lock.

On a thread, the commit's Python (reading the group, applying its ops, building rows)
and the event loop took turns on one GIL: every step of the database let the lock go
and then waited to take it back from the loop, so a group commit took 4-7 ms of wall
time for 1.3-1.9 ms of CPU (docs/performance.md, session 14). In a child process the
commit runs on its own lock and the server's loop only pickles the work and the answers.

The store's writer thread calls `commit` and blocks on the pipe (without the GIL) until
the child answers. A child that dies fails the group in flight (its batches are not
acknowledged, and their senders resend them by batch id) and the next commit starts a
new one. The child ignores SIGINT, which a terminal sends to the whole process group,
and ends when the server closes the pipe, after the commit in hand; SIGTERM (the
multiprocessing module's own at exit, or a stop signal sent to the group) ends it too,
but never in the middle of a commit.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import logging
import multiprocessing
import os
import pickle
import signal
from multiprocessing.connection import Connection as Pipe
from typing import Any

from sqlalchemy import Connection

from server.domain.ops import Create, Delete, Reveal, Update
from server.services.ports import CommitResult, LoggedBatch, PendingBatch

from .commit import Answer, Work, commit_group
from .engine import sqlite_writer_engine

log = logging.getLogger("samskap.writer")
START_SECONDS = 60.0  # a child that has not answered its first message by then is broken


def _pickle_by_fields(cls: type) -> None:
    """Pickle `cls` as its class and its fields' values, rebuilt by its constructor.

    Slotted dataclasses otherwise go through dataclasses' own `__getstate__` and
    `__setstate__`, which list the fields in Python for every object: a group of 100
    one-op batches and its answers took 570 µs of the server's GIL to send and read
    back, 320 µs this way (docs/performance.md, session 16).
    """
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple([getattr(obj, name) for name in names])

    copyreg.pickle(cls, reduce)


for _cls in (Create, Update, Delete, Reveal, PendingBatch, CommitResult, LoggedBatch):
    _pickle_by_fields(_cls)


class WriterGone(RuntimeError):
    """The writer process ended or broke its pipe; the group in flight is not answered."""


class WriterProcess:
    """One child process that runs `commit_group` on its own SQLite connection.

    Only the store's writer thread calls `commit` and `close`; they block.
    """

    def __init__(self, url: str, log_retain: int) -> None:
        self._url = url
        self._log_retain = log_retain
        self._process: Any = None
        self._pipe: Pipe | None = None

    def commit(self, work: Work) -> list[Answer]:
        """The group's answers, as `commit_group` gives them, or its exception re-raised."""
        data = pickle.dumps(work, pickle.HIGHEST_PROTOCOL)
        if self._process is not None and not self.running():
            log.warning(
                "the SQLite writer process ended (exit code %s); starting a new one",
                self._process.exitcode,
            )
            self._stop(kill=True)  # it died between groups: nothing was in flight
        pipe = self.start()
        try:
            pipe.send_bytes(data)
        except OSError:  # it died before the group reached it: a new one takes it
            self._stop(kill=True)
            pipe = self.start()
            pipe.send_bytes(data)
        try:
            ok, answer, ending, records = pickle.loads(pipe.recv_bytes())  # noqa: S301 (our child's)
        except (EOFError, OSError) as exc:
            log.warning("the SQLite writer process stopped with a group in hand: %r", exc)
            self._stop(kill=True)
            raise WriterGone(f"the SQLite writer process stopped: {exc!r}") from exc
        for record in records:  # what the commit logged there, logged here
            logging.getLogger(record.name).handle(record)
        if ending:  # it was told to stop (SIGTERM) during this commit: the next starts anew
            self._stop(kill=False)
        if not ok:
            raise answer
        return answer  # type: ignore[no-any-return]

    def running(self) -> bool:
        """Whether the child has been started and has not ended."""
        return self._process is not None and bool(self._process.is_alive())

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (tests, and `ps` for the curious)."""
        return None if self._process is None else int(self._process.pid)

    def close(self) -> None:
        """End the child after the commit it has in hand; kill it if it hangs."""
        self._stop(kill=False)

    def start(self) -> Pipe:
        """Start the child (0.4 s of imports), unless it runs; its end of the pipe."""
        if self._pipe is not None:
            return self._pipe
        context = multiprocessing.get_context("spawn")  # the server has threads: no fork
        ours, theirs = context.Pipe()
        process = context.Process(
            target=serve,
            args=(theirs, self._url, self._log_retain, _level()),
            name="samskap-sqlite-writer",
            daemon=True,
        )
        process.start()
        theirs.close()
        try:
            if not ours.poll(START_SECONDS):
                raise WriterGone("the SQLite writer process did not start")
            ours.recv()  # its "ready": the imports and the connection are done
        except (EOFError, OSError, WriterGone) as exc:
            ours.close()
            process.kill()
            process.join()
            if isinstance(exc, WriterGone):
                raise
            raise WriterGone("the SQLite writer process failed to start") from exc
        self._process, self._pipe = process, ours
        return ours

    def _stop(self, *, kill: bool) -> None:
        process, pipe = self._process, self._pipe
        self._process = self._pipe = None
        if pipe is not None:
            pipe.close()  # the child reads EOF and ends
        if process is not None:
            if kill:
                process.kill()
            process.join(10.0)
            if process.is_alive():
                process.kill()
                process.join()


def serve(pipe: Pipe, url: str, log_retain: int, level: int) -> None:
    """In the child: commit each group that arrives, answer it, until the pipe closes.

    SIGINT (a terminal's Ctrl-C reaches the whole process group) is ignored: the server
    decides when to stop. SIGTERM ends the child at once when it is idle, and after the
    answer when a commit is in hand, so no group is cut halfway; the server starts a
    new child if it has more to commit. What the commit logs goes back with its answer.
    """
    state = {"busy": False, "stop": False}

    def on_term(_signum: int, _frame: Any) -> None:
        if not state["busy"]:
            os._exit(0)
        state["stop"] = True

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_term)
    logs = _Collect()
    root = logging.getLogger()
    root.handlers[:] = [logs]
    root.setLevel(level)
    engine = sqlite_writer_engine(url)
    conn: Connection | None = engine.connect()
    pipe.send(True)
    while not state["stop"]:
        try:
            data = pipe.recv_bytes()
        except (EOFError, OSError):
            break
        state["busy"] = True
        answer: list[Answer] | Exception
        try:
            work = pickle.loads(data)  # noqa: S301 (from the server that started us)
            if conn is None:
                conn = engine.connect()
            ok, answer = True, commit_group(conn, work, log_retain)
        except Exception as exc:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()
            conn = None
            ok, answer = False, _portable(exc)
        reply = (ok, answer, state["stop"], logs.take())
        try:
            pipe.send_bytes(pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))
        except (OSError, ValueError):
            break
        state["busy"] = False
    if conn is not None:
        with contextlib.suppress(Exception):
            conn.close()
    engine.dispose()


class _Collect(logging.Handler):
    """Keeps the child's log records, made picklable, until they go back with an answer.

    The message is formatted here and a traceback kept as text (`exc_text`), which the
    server's formatters print as they print their own.
    """

    def __init__(self) -> None:
        super().__init__()
        self._records: list[logging.LogRecord] = []
        self._text = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = self._text.formatException(record.exc_info)
            record.exc_info = None
        self._records.append(record)

    def take(self) -> list[logging.LogRecord]:
        records, self._records = self._records, []
        return records


def _level() -> int:
    """The lowest level the server's `samskap` loggers pass: the child logs from there."""
    return logging.getLogger("samskap").getEffectiveLevel()


def _portable(exc: Exception) -> Exception:
    """`exc` if it survives pickling, else a RuntimeError that names it."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 (our own object, round-tripped)
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
