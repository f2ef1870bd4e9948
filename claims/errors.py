"""The knowledge base's one domain error. Its message is written for the editor who caused it and
says what to do next; the admin shows it as a message, the API maps it to HTTP 400."""


class ProvenanceError(Exception):
    """A request the knowledge base refuses (e.g. publishing a record twice)."""
