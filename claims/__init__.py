"""The knowledge base: parties, models, checkpoints, disputes, claims, evidence and fingerprint reports."""
