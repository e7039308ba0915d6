"""SQLite's commits in a process of their own, with its own interpreter lock, fed by
the event loop.

On a thread, the commit's Python (reading the group, applying its ops, building rows)
and the event loop took turns on one GIL: every step of the database let the lock go
and then waited to take it back from the loop, so a group commit took 4-7 ms of wall
time for 1.3-1.9 ms of CPU (docs/performance.md, session 14). In a child process the
commit runs on its own lock and the server's loop only pickles the work and the answers.

The loop talks to the child over a socket pair with asyncio's own transport: a group
goes out as soon as the one before it is answered, from the callback that reads the
answer, so no thread stands between them (session 16's writer thread cost two thread
hand-offs and a share of the GIL per commit; performance.md, session 17). Whatever
arrives while a group is in the child waits and goes out as the next group, in arrival
order: a group commit across boards.

A child that dies fails the group in flight (its batches are not acknowledged, and their
senders resend them by batch id) and the next group starts a new one. The child ignores
SIGINT, which a terminal sends to the whole process group, and ends when the server
closes its end of the socket, after the commit in hand; SIGTERM (the multiprocessing
module's own at exit, or a stop signal sent to the group) ends it too, but never in the
middle of a commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import copyreg
import dataclasses
import logging
import multiprocessing
import os
import pickle
import signal
import socket
from typing import Any, cast

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
    """The writer process ended or broke its socket; the group in flight is not answered."""


HEADER = 8  # each message: its length (8 bytes, big-endian), then its pickle
REAP_SECONDS = 10.0  # a child that has not ended this long after its socket closed is killed

_Entry = tuple[Work, "asyncio.Future[list[Answer]]"]


def _message(value: Any) -> bytes:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(HEADER, "big") + data


class WriterProcess:
    """One child process that runs `commit_group` on its own SQLite connection.

    Used from one event loop. `commit` waits for a work's answers; works that arrive
    while a group is in the child go together as the next group.
    """

    def __init__(self, url: str, log_retain: int) -> None:
        self._url = url
        self._log_retain = log_retain
        self._process: Any = None
        self._channel: _Channel | None = None
        self._starting = asyncio.Lock()  # one start at a time (the store's and a restart)
        self._restart: asyncio.Task[None] | None = None
        self._waiting: list[_Entry] = []
        self._in_flight: list[_Entry] | None = None
        self._reaping: set[asyncio.Task[None]] = set()
        self.groups = 0  # groups sent, for tests and the curious

    async def commit(self, work: Work) -> list[Answer]:
        """The work's answers, as `commit_group` gives them, or the exception that failed
        the group it went in (raised in the child and pickled back, or `WriterGone`)."""
        done: asyncio.Future[list[Answer]] = asyncio.get_running_loop().create_future()
        self._waiting.append((work, done))
        self._send_next()
        return await done

    async def drained(self) -> None:
        """Wait until every work given so far is answered."""
        while self._waiting or self._in_flight is not None:
            pending = [done for _, done in [*self._waiting, *(self._in_flight or [])]]
            await asyncio.wait(pending)

    def running(self) -> bool:
        """Whether the child has been started and has not ended."""
        return self._process is not None and self._process.exitcode is None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (tests, and `ps` for the curious)."""
        return None if self._process is None else int(self._process.pid)

    async def start(self) -> None:
        """Start the child (0.4 s of imports) unless it runs, and wait for its "ready"."""
        async with self._starting:
            if self._channel is not None and self.running():
                return
            self._drop(kill=True)
            await self._spawn()

    async def close(self) -> None:
        """Answer what was given, then end the child after the commit it has in hand
        (it reads the socket's end); kill it if it hangs."""
        await self.drained()
        self._drop(kill=False)
        if self._reaping:
            await asyncio.gather(*self._reaping)

    # --- the child ------------------------------------------------------------------

    async def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")  # the server has threads: no fork
        ours, theirs = socket.socketpair()
        process = context.Process(
            target=serve,
            args=(theirs, self._url, self._log_retain, _level()),
            name="samskap-sqlite-writer",
            daemon=True,
        )
        try:
            process.start()
        finally:
            theirs.close()
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        _, channel = await loop.create_unix_connection(lambda: _Channel(self, ready), sock=ours)
        self._process, self._channel = process, channel
        try:
            async with asyncio.timeout(START_SECONDS):
                await ready
        except (TimeoutError, WriterGone) as exc:
            self._drop(kill=True)
            if isinstance(exc, WriterGone):
                raise
            raise WriterGone("the SQLite writer process did not start") from exc

    def _drop(self, *, kill: bool) -> None:
        """Forget the child: close our end (it reads EOF and ends) and reap it."""
        process, channel = self._process, self._channel
        self._process = self._channel = None
        if channel is not None:
            channel.close()
        if process is not None:
            if kill:
                process.kill()
            task = asyncio.get_running_loop().create_task(_reap(process))
            self._reaping.add(task)
            task.add_done_callback(self._reaping.discard)

    # --- groups ---------------------------------------------------------------------

    def _send_next(self) -> None:
        """Send what waits as one group, unless a group is in the child."""
        if self._in_flight is not None or not self._waiting:
            return
        if self._channel is None or not self.running():
            if self._restart is None or self._restart.done():
                self._restart = asyncio.get_running_loop().create_task(self._start_and_send())
            return
        entries, self._waiting = self._waiting, []
        try:
            data = _message([item for work, _ in entries for item in work])
        except Exception as exc:  # a work that cannot be pickled fails its group only
            _fail(entries, exc)  # and nothing else waits: the group took it all
            return
        self._in_flight = entries
        self.groups += 1
        self._channel.send(data)

    async def _start_and_send(self) -> None:
        try:
            await self.start()
        except Exception as exc:
            waiting, self._waiting = self._waiting, []
            _fail(waiting, exc)
            return
        self._send_next()

    def _answered(self, channel: _Channel, reply: Any) -> None:
        """A group's answers (or its exception), what the commit logged, and whether the
        child was told to stop meanwhile."""
        ok, answer, ending, records = reply
        for record in records:  # what the commit logged there, logged here
            logging.getLogger(record.name).handle(record)
        entries, self._in_flight = self._in_flight or [], None
        if ending and channel is self._channel:  # SIGTERM during the commit: a new child
            self._drop(kill=False)
        if ok:
            start = 0
            for work, done in entries:
                if not done.done():
                    done.set_result(answer[start : start + len(work)])
                start += len(work)
        else:
            _fail(entries, answer)
        self._send_next()

    def _lost(self, channel: _Channel, exc: Exception | None) -> None:
        """The child's socket closed: it ended, or was killed, or we closed it."""
        if channel is not self._channel:
            return  # one we dropped ourselves
        entries, self._in_flight = self._in_flight, None
        self._drop(kill=True)
        if entries:
            log.warning("the SQLite writer process stopped with a group in hand: %r", exc)
            _fail(entries, WriterGone(f"the SQLite writer process stopped: {exc!r}"))
        else:
            log.warning("the SQLite writer process ended; the next commit starts a new one")
        self._send_next()


class _Channel(asyncio.Protocol):
    """Our end of the child's socket: messages out, answers in."""

    def __init__(self, writer: WriterProcess, ready: asyncio.Future[None]) -> None:
        self._writer = writer
        self._ready = ready
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def send(self, data: bytes) -> None:
        assert self._transport is not None
        self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= HEADER:
            end = HEADER + int.from_bytes(buffer[:HEADER], "big")
            if len(buffer) < end:
                return
            reply = pickle.loads(buffer[HEADER:end])  # noqa: S301 (our child's)
            del buffer[:end]
            if not self._ready.done():
                self._ready.set_result(None)  # its first message: imports and connection done
            else:
                self._writer._answered(self, reply)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._ready.done():
            self._ready.set_exception(WriterGone("the SQLite writer process failed to start"))
        self._writer._lost(self, exc)


def _fail(entries: list[_Entry], exc: BaseException) -> None:
    for _, done in entries:
        if not done.done():
            done.set_exception(exc)


async def _reap(process: Any) -> None:
    """Wait for an ended (or ending) child without blocking the loop (its sentinel is
    readable once it has ended), then collect its exit status; kill a hung one."""
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ended.done():
            ended.set_result(None)

    loop.add_reader(process.sentinel, readable)
    try:
        try:
            async with asyncio.timeout(REAP_SECONDS):
                await asyncio.shield(ended)
        except TimeoutError:
            process.kill()
            await ended
    finally:
        loop.remove_reader(process.sentinel)
    process.join()  # at once: it has ended


def serve(sock: socket.socket, url: str, log_retain: int, level: int) -> None:
    """In the child: commit each group that arrives, answer it, until the socket closes.

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
    incoming = sock.makefile("rb")
    try:
        sock.sendall(_message(True))
        while not state["stop"]:
            header = incoming.read(HEADER)
            if len(header) < HEADER:
                break  # the server closed its end
            data = incoming.read(int.from_bytes(header, "big"))
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
            sock.sendall(_message((ok, answer, state["stop"], logs.take())))
            state["busy"] = False
    except OSError:
        pass  # the server is gone
    finally:
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
