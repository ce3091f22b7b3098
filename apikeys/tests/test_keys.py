"""The key format: marker, lookup prefix and 32 random bytes; only a SHA-256 is stored, compared in constant time."""

import base64
import hashlib

import pytest

from apikeys.keys import KEY_LENGTH, MARKER, PREFIX_LENGTH, key_generate, key_hash, key_matches, key_prefix


def test_a_key_is_the_marker_a_lookup_prefix_and_32_random_url_safe_bytes():
    new = key_generate()
    assert new.key.startswith(MARKER)
    assert MARKER == "dak_"
    assert len(new.key) == KEY_LENGTH
    assert new.prefix == new.key[:PREFIX_LENGTH]
    assert new.key[PREFIX_LENGTH] == "_"
    secret = new.key[PREFIX_LENGTH + 1 :]
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32


def test_keys_and_prefixes_do_not_repeat():
    keys = [key_generate() for _ in range(500)]
    assert len({new.key for new in keys}) == len({new.prefix for new in keys}) == 500


def test_only_the_sha256_of_the_key_is_kept():
    new = key_generate()
    assert new.key_hash == hashlib.sha256(new.key.encode()).hexdigest() == key_hash(new.key)
    assert new.key not in new.key_hash


def test_a_key_matches_its_own_hash_only():
    first, second = key_generate(), key_generate()
    assert key_matches(first.key, first.key_hash)
    assert not key_matches(second.key, first.key_hash)
    assert not key_matches(first.key[:-1] + ("A" if first.key[-1] != "A" else "B"), first.key_hash)


def _variant(key: str, at: int, char: str) -> str:
    return key[:at] + char + key[at + 1 :]


BAD_KEYS = {
    "empty": lambda key: "",
    "marker only": lambda key: MARKER,
    "one character short": lambda key: key[:-1],
    "one character long": lambda key: key + "A",
    "wrong marker": lambda key: "sk_" + key[3:],
    "marker in capitals": lambda key: key.upper(),
    "dash in the lookup prefix": lambda key: _variant(key, 5, "-"),
    "no separator": lambda key: _variant(key, PREFIX_LENGTH, "x"),
    "padding in the secret": lambda key: _variant(key, KEY_LENGTH - 1, "="),
    "plus sign (standard base64)": lambda key: _variant(key, KEY_LENGTH - 2, "+"),
    "non-ASCII letter": lambda key: _variant(key, KEY_LENGTH - 3, "é"),
    "NUL byte": lambda key: _variant(key, KEY_LENGTH - 3, "\x00"),
    "trailing newline": lambda key: key + "\n",
}


@pytest.mark.parametrize("kind", BAD_KEYS)
def test_a_malformed_key_has_no_prefix(kind):
    key = key_generate().key
    assert key_prefix(BAD_KEYS[kind](key)) is None


def test_a_well_formed_key_has_its_prefix():
    new = key_generate()
    assert key_prefix(new.key) == new.prefix
