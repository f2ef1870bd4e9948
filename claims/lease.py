"""The one job lease: how a worker takes a row of work, keeps it, loses it and gives it up.

Reports, the files of a sharded fingerprint, downloads and captures are four jobs with one
lifecycle, written here once; each job declares only what differs (``Lease``: its model, its status
values and field names, its Celery task, the words of its messages):

* **claim** - a conditional ``UPDATE … WHERE status = queued`` (or ``running`` with a heartbeat older
  than the stale cut-off: its worker was killed), so two workers never take the same row;
* **heartbeat** - the running worker's sign of life (``beat``, or the ``Heartbeat`` thread);
* **stale cut-off** - ``stale_before()``: REPORT_STALE_SECONDS without a heartbeat;
* **attempts** - a row claimed more than ``MAX_ATTEMPTS`` times is failed with the sentence of
  ``interrupted_message``;
* **fail** - the status ``failed`` and a sentence for the person who reads the row;
* **enqueue** after commit, and when the broker is down the row stays ``queued`` for the sweep;
* **sweep** - fail what ran too long or was interrupted too often, requeue what lost its worker,
  send again what never reached one.

No import of ``claims.models``, the services, the pipeline or the tasks at module level: the models
read ``MAX_ATTEMPTS`` and ``stale_before`` from here (a report's progress says whether its worker
stopped), and the pipeline builds on this.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A lost database connection: the row goes back to the queue and the task retries with backoff.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
# The broker may blink: a send is retried twice within about a second before the sweep takes over.
BROKER_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}


def stale_after() -> timedelta:
    """A running row whose heartbeat is older than this has lost its worker."""
    return timedelta(seconds=settings.REPORT_STALE_SECONDS)


def stale_before() -> datetime:
    """The stale cut-off: a heartbeat before this moment is a dead worker's."""
    return timezone.now() - stale_after()


def overdue_after() -> timedelta:
    """The hard time limit and a stale delay: a row running longer than this has been stopped by
    the worker's own limit, or its worker is gone."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + settings.REPORT_STALE_SECONDS)


def interrupted_message(what: str, *, worker: str = "the worker", ran_out_of: str = "time or memory") -> str:
    """The sentence of a row given up after ``MAX_ATTEMPTS`` claims: "The analysis was interrupted 3
    times (the worker was stopped or ran out of time or memory). An operator should …"."""
    return (
        f"{what} was interrupted {MAX_ATTEMPTS} times ({worker} was stopped or ran out of {ran_out_of}). "
        "An operator should check the worker logs before retrying."
    )


def human_duration(seconds: int) -> str:
    """ "45 seconds", "1 minute", "90 minutes": how a time limit reads in a message."""
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{seconds // 60} minutes"


@dataclass
class SweepResult:
    requeued: int = 0
    failed: int = 0
    sent: int = 0


@dataclass(frozen=True)
class Lease:
    """What one job declares. Field arguments are the model's field names; None where the job has
    no such field (a capture has no heartbeat, a download no attempts, a shard no finishing time)."""

    model: type[Model]
    task: str  # the attribute of ``claims.tasks`` that runs one row
    task_kwarg: str  # the keyword argument naming the row: report_id, shard_id...
    unsent_log: str  # the warning when the broker is down, with one %s for the row's id
    queued: str = "queued"
    running: str = "running"
    failed: str = "failed"
    status: str = "status"
    heartbeat: str | None = "heartbeat_at"
    attempts: str | None = "attempts"
    message: str = "error_message"
    finished: str | None = "finished_at"
    started: str | None = "started_at"
    requested: str | None = "requested_at"
    enqueued: str | None = "enqueued_at"
    broker_retry: bool = True
    # The task's time limits as sent, read at sending time; None: the worker applies its own.
    time_limits: Callable[[], tuple[int | None, int | None]] | None = None
    # The public pages show these rows: a claim, a failure or a release makes them stale
    # (``claims.services.content.content_changed``, first in the same transaction).
    public: bool = False
    noun: str = "row"  # how the log names one: "report 12", "shard 40"

    # -- rows ----------------------------------------------------------------------------------
    def _rows(self, rows: QuerySet | int) -> QuerySet:
        return self.model.objects.filter(pk=rows) if isinstance(rows, int) else rows

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """For a job whose rows the public pages show: a transaction that first makes those pages
        stale. Else nothing."""
        if not self.public:
            yield
            return
        # Imported here: the models import this module, and the services import the models.
        from claims.services.content import content_changed

        with transaction.atomic():
            content_changed()
            yield

    def claimable(self) -> Q:
        """Queued, or running with a stopped heartbeat (its worker was killed)."""
        q = Q(**{self.status: self.queued})
        if self.heartbeat:
            q |= Q(**{self.status: self.running, f"{self.heartbeat}__lt": stale_before()})
        return q

    def stale(self) -> QuerySet:
        """Running rows whose heartbeat stopped (none, for a job without a heartbeat)."""
        if not self.heartbeat:
            return self.model.objects.none()
        return self.model.objects.filter(
            **{self.status: self.running, f"{self.heartbeat}__lt": stale_before()}
        )

    # -- claim, heartbeat, attempts ------------------------------------------------------------
    def claim(self, pk: int, **fresh) -> bool:
        """Take row ``pk`` for this worker (``fresh``: the fields a new attempt starts with).
        False when there was nothing to take: another worker took it first, or it is finished."""
        now = timezone.now()
        values = {self.status: self.running, **fresh}
        for name in (self.heartbeat, self.started):
            if name:
                values[name] = now
        if self.attempts:
            values[self.attempts] = F(self.attempts) + 1
        with self._changing():
            # One conditional UPDATE: if it changed no row, another worker claimed it first.
            return bool(self.model.objects.filter(self.claimable(), pk=pk).update(**values))

    def claim_first(self, candidates: QuerySet, *, order_by: str, **fresh) -> int | None:
        """Claim the first claimable row of ``candidates``; its id, or None when none is left."""
        for pk in candidates.filter(self.claimable()).order_by(order_by).values_list("pk", flat=True):
            if self.claim(pk, **fresh):
                return pk
        return None

    def beat(self, rows: QuerySet | int, **also) -> int:
        """Write the heartbeat (and ``also``: progress) of a running row."""
        return self._rows(rows).update(**{self.heartbeat: timezone.now()}, **also)

    def exhausted(self, row: Model) -> bool:
        """Whether this claim is one more than ``MAX_ATTEMPTS``: the row is to be failed."""
        return getattr(row, self.attempts) > MAX_ATTEMPTS

    # -- the end of an attempt -----------------------------------------------------------------
    def fail(self, rows: QuerySet | int, *, message: str, **also) -> int:
        """Mark ``rows`` failed with ``message``, the sentence a person reads on the row (``also``:
        the job's other fields, an operator's detail). Returns how many rows it failed."""
        with self._changing():
            return self._fail(self._rows(rows), timezone.now(), message=message, **also)

    def _fail(self, rows: QuerySet, now: datetime, *, message: str, **also) -> int:
        values = {self.status: self.failed, self.message: message, **also}
        if self.finished:
            values[self.finished] = now
        return rows.update(**values)

    def release(self, pk: int) -> None:
        """Give a row back to the queue after a transient error (best effort: the database may be
        down, and then the sweep will)."""
        try:
            with self._changing():
                self.model.objects.filter(pk=pk, **{self.status: self.running}).update(
                    **{self.status: self.queued}
                )
        except TRANSIENT_ERRORS:
            logger.warning("Could not release %s %s; the sweep will.", self.noun, pk)

    # -- sending -------------------------------------------------------------------------------
    def enqueue_on_commit(self, pk: int) -> None:
        """Send the task once the transaction that made the row commits, so a worker never looks
        for a row it cannot see yet."""
        transaction.on_commit(lambda: self.enqueue(pk))

    def enqueue(self, pk: int) -> bool:
        """Send the task now. False (the row stays queued, the sweep sends it later) if the broker
        is down."""
        from claims import tasks  # the tasks module imports the pipeline, which imports this one

        soft, hard = self.time_limits() if self.time_limits else (None, None)
        options = {"retry": True, "retry_policy": BROKER_RETRY} if self.broker_retry else {}
        try:
            getattr(tasks, self.task).apply_async(
                kwargs={self.task_kwarg: pk},
                **options,
                # None: no limits in the message, so the worker that runs it applies its own
                # CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT, not the web tier's.
                soft_time_limit=soft,
                time_limit=hard,
            )
        except Exception:  # noqa: BLE001 - any broker failure: the sweep sends it again
            logger.warning(self.unsent_log, pk, exc_info=True)
            return False
        if self.enqueued:
            self.model.objects.filter(pk=pk, **{self.status: self.queued}).update(
                **{self.enqueued: timezone.now()}
            )
        return True

    def enqueue_each(self, pks: Iterable[int]) -> int:
        return sum(self.enqueue(pk) for pk in sorted(set(pks)))

    def unsent(self, *, unsent_after: timedelta, resend_after: timedelta | None = None) -> QuerySet:
        """Queued rows never sent (the broker was down), or sent so long ago that the message must
        have been lost (a broker without redelivery, such as the local filesystem one, and a worker
        killed while holding it). Sending one twice is harmless: only one worker can claim it."""
        now = timezone.now()
        queued = self.model.objects.filter(**{self.status: self.queued})
        if not self.enqueued:
            return queued.filter(**{f"{self.requested}__lt": now - unsent_after})
        return queued.filter(
            Q(**{f"{self.enqueued}__isnull": True, f"{self.requested}__lt": now - unsent_after})
            | Q(**{f"{self.enqueued}__lt": now - resend_after})
        )

    # -- the sweep -----------------------------------------------------------------------------
    def sweep(
        self,
        *,
        unsent_after: timedelta,
        resend_after: timedelta | None = None,
        overdue_after: timedelta | None = None,
        overdue: dict | None = None,
        exhausted: dict | None = None,
        requeue: dict | None = None,
    ) -> SweepResult:
        """The periodic repair, so no row stays ``running`` or ``queued`` forever:

        * ``overdue_after``: a running row started longer ago is failed with ``overdue`` (message
          and fields);
        * a running row whose heartbeat stopped on its last attempt is failed with ``exhausted``;
        * one whose heartbeat stopped before (every one, for a job without attempts) is sent again,
          back in ``queued`` with ``requeue``'s fields reset when ``requeue`` is given (else it
          stays ``running`` and its next claim takes it over);
        * a queued row whose message never reached a worker is sent again (``unsent``)."""
        now = timezone.now()
        result = SweepResult()
        failing = []
        if overdue_after is not None:
            late = self.model.objects.filter(
                **{self.status: self.running, f"{self.started}__lt": now - overdue_after}
            )
            failing.append((late, overdue))
        stale = self.stale()
        if self.attempts:
            failing.append((stale.filter(**{f"{self.attempts}__gte": MAX_ATTEMPTS}), exhausted))
            stale = stale.filter(**{f"{self.attempts}__lt": MAX_ATTEMPTS})
        # Only when there is something to fail: the sweep runs every minute, and a public page's
        # caches are dropped only when the pages change.
        if any(rows.exists() for rows, _ in failing):
            with self._changing():
                for rows, fields in failing:
                    result.failed += self._fail(rows, now, **fields)
        # Select, then update with the same conditions: a row that came back to life in between
        # is left alone, and sending an id that was not requeued is harmless.
        revived = list(stale.values_list("pk", flat=True))
        if requeue is not None:
            reset = {self.status: self.queued, self.heartbeat: None, **requeue}
            if self.enqueued:
                reset[self.enqueued] = None
            result.requeued += stale.filter(pk__in=revived).update(**reset)
        unsent = self.unsent(unsent_after=unsent_after, resend_after=resend_after).values_list(
            "pk", flat=True
        )
        result.sent += self.enqueue_each([*revived, *unsent])
        return result


class Heartbeat:
    """While a row is worked on, a daemon thread writes its heartbeat every ``interval`` seconds, so
    a step that runs for minutes without a progress write still shows a live worker; a killed
    worker's thread dies with it and the heartbeat goes stale, as the sweep expects."""

    def __init__(self, lease: Lease, pk: int, interval: float) -> None:
        self.lease, self.pk, self.interval = lease, pk, max(interval, 0.5)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{pk}", daemon=True)

    def _run(self) -> None:
        from django.db import connection

        lease = self.lease
        try:
            while not self._stop.wait(self.interval):
                try:
                    lease.beat(lease.model.objects.filter(pk=self.pk, **{lease.status: lease.running}))
                except Exception:  # noqa: BLE001 - a missed beat is only a later one; never kill the work
                    logger.warning(
                        "Could not write the heartbeat of %s %s", lease.noun, self.pk, exc_info=True
                    )
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
