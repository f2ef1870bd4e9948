"""API views: one module per aggregate; ``base`` holds what every viewset shares."""
