"""Factories for security events (users come from the shared `make_user` fixture)."""

import factory

from audit.models import Event, SecurityEvent


class SecurityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityEvent

    event = Event.LOGIN_SUCCEEDED
    ip = factory.Faker("ipv4")
    user_agent = factory.Faker("user_agent")
    request_id = factory.Faker("hexify", text="^" * 32)
