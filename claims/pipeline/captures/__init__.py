"""Capturing cited sources (Django-free fetching and rendering is ``claims.archive``): ``runner``
(what the ``source_capture`` task runs, and the sweep of captures) and ``watch`` (the periodic
re-check of cited URLs, which may suggest a capture)."""
