"""Serializers, one module per aggregate; ``fields`` holds the link and Markdown fields they share."""
