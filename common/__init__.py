"""The shared library every app builds on: filters, pagination, renderers, errors, throttling and the rest."""
