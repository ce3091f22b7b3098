"""The admin user list's fast path answers byte for byte what DRF's generic path answers on the same data."""

import pytest

from accounts.models import Role
from accounts.serializers import USER_ADMIN_COLUMNS, UserAdminSerializer
from accounts.views import UserViewSet

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["", "?page=2", "?page_size=3&page=4", "?page_size=1000", "?page=99", "?page=", "?page=x", "?role=admin"]
)
@pytest.mark.parametrize("caller", ["admin", "moderator"])
def test_user_list_is_the_bytes_of_drfs_path(request, make_user, client_for, monkeypatch, query, caller):
    make_user.create_batch(25)
    make_user(username="naïve\u2028user", role=Role.MODERATOR, is_active=False)
    client = client_for(request.getfixturevalue(caller))
    fast = client.get(f"/api/v1/users/{query}")
    monkeypatch.setattr(UserViewSet, "fast_paths", False)
    plain = client.get(f"/api/v1/users/{query}")
    assert (fast.status_code, fast.content) == (plain.status_code, plain.content)


def test_the_fast_path_selects_every_field_the_serializer_renders():
    readable = [name for name, field in UserAdminSerializer().fields.items() if not field.write_only]
    assert list(USER_ADMIN_COLUMNS) == readable
