"""The fingerprint engine: read model checkpoints, compute per-model statistics, compare two models.

Plain Python + NumPy. Nothing in this package imports Django, the database or Celery, so it can be
used from a shell (``python -m provenance.fingerprint``) and tested alone.
"""

ENGINE_VERSION = "0.1.0"
