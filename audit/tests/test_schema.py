"""The OpenAPI schema documents both security-log lists, their filters and the event object."""

import pytest

from audit.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    return api_client.get("/api/schema/", {"format": "json"}).json()


def test_the_admin_list_documents_its_filters_and_errors(schema):
    operation = schema["paths"]["/api/v1/audit-events/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"event", "user", "actor", "cursor", "page_size"}
    assert set(params["event"]["schema"]["enum"]) == set(Event.values)
    for name in ("user", "actor"):
        assert params[name]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
        assert params[name]["description"]
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert set(operation) >= {"summary", "description"}


def test_own_events_document_cursor_pages_only(schema):
    operation = schema["paths"]["/api/v1/auth/events/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"cursor", "page_size"}
    assert {"200", "401", "404"} <= set(operation["responses"])
    assert set(schema["paths"]["/api/v1/auth/events/"]) == {"get"}


def test_the_event_object_has_users_as_id_and_username_or_null(schema):
    components = schema["components"]["schemas"]
    event = components["SecurityEvent"]
    fields = {"id", "at", "event", "user", "actor", "ip", "user_agent", "request_id", "detail"}
    assert set(event["properties"]) == fields
    for name in ("user", "actor", "ip"):
        assert event["properties"][name]["nullable"] is True
    assert set(components["EventUser"]["properties"]) == {"id", "username"}
    assert event["properties"]["detail"]["type"] == "object"
    assert set(components["SecurityEventEnum"]["enum"]) == set(Event.values)
    assert set(components["PaginatedSecurityEventList"]["properties"]) == {"next", "previous", "results"}
