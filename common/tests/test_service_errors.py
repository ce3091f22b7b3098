"""What services raise becomes the API's error shape in one place (common.exceptions)."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError

from accounts.models import EMAIL_UNIQUE_CONSTRAINT
from accounts.views import PublicView
from common.exceptions import APIExceptionHandler
from common.integrity import violated_constraint
from common.service_exceptions import AuthenticationError


def _handle(exc: Exception, view=None):
    request = view.request if view is not None else None
    return APIExceptionHandler(exc, {"view": view, "request": request}).run()


def test_an_authentication_error_is_a_401_with_the_views_challenge(rf):
    view = PublicView()
    view.request = rf.post("/api/v1/auth/login/")
    response = _handle(AuthenticationError("Nope.", code="token_not_valid"), view)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.data == {
        "type": "client_error",
        "errors": [{"code": "token_not_valid", "detail": "Nope.", "attr": None}],
    }


def test_a_missing_row_is_a_404():
    response = _handle(ObjectDoesNotExist())
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.data["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (f"UNIQUE constraint failed: index '{EMAIL_UNIQUE_CONSTRAINT}'", EMAIL_UNIQUE_CONSTRAINT),
        ("UNIQUE constraint failed: accounts_user.username", None),
        ("NOT NULL constraint failed: products_product.name", None),
    ],
)
def test_sqlite_names_a_violated_unique_index_only_in_its_message(message, expected):
    assert violated_constraint(IntegrityError(message)) == expected
