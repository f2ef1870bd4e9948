"""Put on PYTHONPATH of the schemathesis process started by test_api_schemathesis.py, nowhere else.

CPython 3.11 keeps the AST constructor's recursion-depth counter per interpreter, not per thread
(gh-106905): when two of schemathesis's worker threads parse source at the same moment - hypothesis
describes a filter lambda by parsing its source - one of them can fail with "SystemError: AST
constructor recursion depth mismatch", and the run stops with a runtime error that says nothing
about our API. Those descriptions are made one at a time here; nothing else changes.
"""

import threading

from hypothesis.internal import lambda_sources

_lock = threading.Lock()
_describe = lambda_sources.lambda_description


def _one_at_a_time(f, *args, **kwargs):
    with _lock:
        return _describe(f, *args, **kwargs)


lambda_sources.lambda_description = _one_at_a_time
