"""Demo data: the founding dispute (``founding_dispute``), the documented cases (``cases``), the
synthetic example (``synthetic_case``) and the idempotent loader (``loader``)."""
