"""
The registry of what the project holds about a user, for their data export (`POST auth/me/export/`),
without accounts importing the apps that hold it (imports point `accounts` <- `privacy`, `passkeys`, ...).

An app that keeps rows about a user registers one section from its `AppConfig.ready`:
`personal_data_section_register("passkeys", passkeys_of)`, where `passkeys_of(user)` returns plain
JSON-able data (dicts, lists, strings, numbers, datetimes) and never a secret, a hash or a key. The
export has one key per registered section, in the order they were registered.
"""

from collections.abc import Callable
from typing import Any

from accounts.models import User

PersonalDataSection = Callable[[User], Any]

SECTION_TAKEN = "A personal-data section named {name!r} is registered already; pick another name."

_sections: dict[str, PersonalDataSection] = {}


def personal_data_section_register(name: str, section: PersonalDataSection) -> None:
    """Add `section` under `name` (registering the same function again is a no-op)."""
    if _sections.get(name, section) is not section:
        raise ValueError(SECTION_TAKEN.format(name=name))
    _sections[name] = section


def personal_data_sections() -> dict[str, PersonalDataSection]:
    return dict(_sections)
