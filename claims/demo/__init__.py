"""Demo data: the founding dispute (``founding_dispute``) and the idempotent loader (``loader``)."""
