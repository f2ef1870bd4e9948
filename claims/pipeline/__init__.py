"""The analysis pipeline: from two registered checkpoints to a stored, charted fingerprint report.

* ``checkpoints`` - read a checkpoint's files: where they are, the folders they may be read from,
  what their headers say (registering one is ``claims.services.checkpoints``);
* ``requests``    - ask for a report (de-duplicated), retry one, enqueue after commit;
* ``runner``      - the work a Celery task does: claim, fingerprint (cached), compare, chart, store;
* ``sweep``       - the periodic repair of reports whose worker died or never got the message.

Admin actions, the API, the ``fingerprint`` management command and the Celery tasks all call these
functions; none re-implements a rule.
"""
