"""Computing a fingerprint report: ``runner`` (what the ``report_compute`` task runs), ``shards`` (one
task per file of a big checkpoint) and ``sweep`` (the periodic repair of the queue)."""
