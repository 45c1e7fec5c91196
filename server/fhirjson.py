"""FHIR JSON with exact decimals: `1.50` stays `1.50` (FHIR decimals keep their precision).

Numbers with a fraction or an exponent are read as `Decimal` and written back as the same digits;
integers stay `int`. The hub uses these for request bodies, responses and its JSON columns.
"""

import json
import re
import secrets
from decimal import Decimal

# A Decimal is first written as a string holding a marker, then the marker (with its quotes) is
# replaced by the number's digits. The marker holds U+0000, which the hub refuses in what clients
# send, and a random word drawn for each call, so no stored text can pass for one.
_MARKER = r'"\\u0000{word}:(\d+)\\u0000"'


def loads(text: str | bytes, **hooks):
    return json.loads(text, parse_float=hooks.pop("parse_float", Decimal), **hooks)


def dumps(value, **options) -> str:
    """JSON text (compact, UTF-8 characters as they are) with every Decimal written exactly."""
    numbers: list[str] = []
    word = secrets.token_hex(8)

    def decimal(item):
        if isinstance(item, Decimal) and item.is_finite():
            numbers.append(str(item))
            return f"\u0000{word}:{len(numbers) - 1}\u0000"
        raise TypeError(f"{type(item).__name__} is not JSON")

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=decimal, **options)
    if not numbers:
        return text
    return re.sub(_MARKER.format(word=word), lambda match: numbers[int(match.group(1))], text)
