"""Staff see the deletions waiting for their purge and the exports in the Django admin, read-only."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from privacy.deletion import account_deletion_request
from privacy.exports import data_export_request
from privacy.models import DataExport, DeletionRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_staff_see_the_pending_deletions(admin_client, make_user):
    leaving, staying = make_user(username="leaving"), make_user(username="staying")
    account_deletion_request(user=leaving)
    account_deletion_request(user=staying)
    DeletionRequest.objects.filter(user=staying).update(
        cancelled_at=DeletionRequest.objects.get(user=staying).purge_after
    )

    response = admin_client.get(reverse("admin:privacy_deletionrequest_changelist"), {"state": "pending"})

    assert response.status_code == HTTPStatus.OK
    rows = list(response.context["cl"].result_list)
    assert [row.user.username for row in rows] == ["leaving"]


def test_a_deletion_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, user):
    account_deletion_request(user=user)
    request = DeletionRequest.objects.get(user=user)
    assert admin_client.get(reverse("admin:privacy_deletionrequest_add")).status_code == HTTPStatus.FORBIDDEN
    delete_url = reverse("admin:privacy_deletionrequest_delete", args=[request.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    change = admin_client.post(reverse("admin:privacy_deletionrequest_change", args=[request.pk]), {})
    assert change.status_code == HTTPStatus.FORBIDDEN
    assert DeletionRequest.objects.filter(pk=request.pk, cancelled_at__isnull=True).exists()


def test_the_exports_page_never_shows_an_archive(admin_client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data_export_request(user=user)
    export = DataExport.objects.get(user=user)
    assert export.archive

    listing = admin_client.get(reverse("admin:privacy_dataexport_changelist"))
    detail = admin_client.get(reverse("admin:privacy_dataexport_change", args=[export.pk]))

    assert listing.status_code == detail.status_code == HTTPStatus.OK
    assert user.username in listing.content.decode()
    assert '"format"' not in detail.content.decode()
    assert "account-data-export" not in detail.content.decode()


def test_a_non_admin_cannot_see_the_deletions(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:privacy_deletionrequest_changelist"))
    assert response.status_code == HTTPStatus.FOUND  # to the admin's login
