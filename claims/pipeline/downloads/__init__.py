"""Downloading a checkpoint's files into the model cache: ``runner`` (what the ``checkpoint_acquire``
task runs, and the sweep of downloads) and ``cache`` (the cache's budget and evictions)."""
