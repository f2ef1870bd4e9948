"""The work the Celery workers do, a sub-package per job:

* ``reports``   - a fingerprint report: ``runner`` (claim, fingerprint - cached, or file by file by
  many workers: ``shards`` - compare, store) and ``sweep`` (the periodic repair of reports whose
  worker died or never got the message);
* ``downloads`` - a hub or git checkpoint's files into the model cache: ``runner`` and ``cache``
  (the cache's budget and evictions);
* ``captures``  - an evidence record's URL archived: ``runner`` (the capture and its sweep) and
  ``watch`` (the periodic re-check of cited URLs).

Shared by these: ``checkpoints`` (read a checkpoint's files: where they are, the folders they may be
read from, what their headers say; registering one is ``claims.services.checkpoints``) and
``fingerprint_store`` (fingerprints kept by content hash).

The lifecycle every job shares - claim, heartbeat, stale cut-off, attempts, failure, enqueue after
commit, sweep - is ``claims.lease``; each job's declaration is in ``claims.jobs``. Asking for work is a
service (``claims.services``: ``report_request``, ``checkpoint_acquire``, ``capture_request``); the
admin, the API, the management commands and the Celery tasks all call these functions, none
re-implements a rule.
"""
