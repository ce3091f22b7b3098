"""
The API's JSON renderer: DRF's output, byte for byte, produced by orjson.

DRF's `JSONRenderer` runs the standard library's encoder, which is several times slower than
orjson on a page of 20-100 rows (measured gain: docs/performance.md). orjson's
compact UTF-8 output is what DRF produces with its default settings (`COMPACT_JSON`,
`UNICODE_JSON`), once U+2028/U+2029 are escaped as DRF does. Anything orjson renders differently
goes to DRF's own path: datetimes, decimals and lazy strings through DRF's encoder (`default`),
and whatever orjson refuses (integers beyond 64 bits, non-string keys) or a request for
indented output (`Accept: application/json; indent=4`) through `super().render`.
The API renders no floats (money is a decimal string), where the two libraries' notations
can differ (`1e+16` against `1e16`).
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, through orjson when the result is the same."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        if data is None or indent is not None or self.ensure_ascii or not self.compact or not self.strict:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=JSONEncoder().default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATOR in rendered or _PARAGRAPH_SEPARATOR in rendered:
            rendered = rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return rendered
