"""Request parsers that turn every undecodable or oversized body into a 4xx."""

import io

from django.conf import settings
from rest_framework import exceptions, parsers, status

REQUEST_TOO_LARGE = "Request body is too large."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = REQUEST_TOO_LARGE
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    """
    DRF's JSON parser with two more guards.

    DRF reads the body as a stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE (checked only by
    `request.body` and `request.POST`) never applies to JSON: enforce it here. JSON nested
    deeper than Python's recursion limit is a 400, not a crash.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge()
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
