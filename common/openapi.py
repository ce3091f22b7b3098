"""OpenAPI generation: drf-standardized-errors' AutoSchema plus the errors our shared pieces raise."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ServerErrorEnum
from rest_framework import serializers

from common.filters import SearchFilter, StrictFilterSet

PASSWORD_VALIDATION_CODES = [
    "password_too_short",
    "password_too_common",
    "password_entirely_numeric",
    "password_too_similar",
]


class AutoSchema(StandardizedErrorsAutoSchema):
    """
    Document the 400s of `?page_size=`, `?search=` and empty filters on every list that has them,
    the 403 of an authentication scheme that can refuse an operation, and the 401 (its codes and its
    `WWW-Authenticate` challenge) of a permission that asks for a recent login.
    """

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        extra = super()._get_extra_validation_errors()
        if self.method != "GET" or not self._is_list_view():
            return extra
        paginator = self._get_paginator()
        page_size_param = getattr(paginator, "page_size_query_param", None)
        if page_size_param:
            extra.setdefault(page_size_param, set()).add("invalid")
        if any(issubclass(backend, SearchFilter) for backend in self.get_filter_backends()):
            extra.setdefault(SearchFilter.search_param, set()).add("null_characters_not_allowed")
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class and issubclass(filterset_class, StrictFilterSet):
            for name in filterset_class.base_filters:
                extra.setdefault(name, set()).add("empty")
        return extra

    def _get_examples(self, serializer, direction, media_type, status_code=None, extras=None):
        own = [e for e in extras or [] if str(status_code) in map(str, e.status_codes or [])]
        if direction == "response" and own:
            # The operation documents its own error for this status (login's 403 email_not_verified):
            # the package's generic example (permission_denied) would contradict it.
            return super(StandardizedErrorsAutoSchema, self)._get_examples(
                serializer, direction, media_type, status_code=status_code, extras=extras
            )
        return super()._get_examples(serializer, direction, media_type, status_code=status_code, extras=extras)

    def _step_up_permission(self):
        """A permission of the view that can answer a 401 of its own here (a recent login required), if any."""
        for permission in self.view.get_permissions():
            documented_for = getattr(permission, "documented_for", None)
            if documented_for is not None and documented_for(self.method):
                return permission
        return None

    def _get_error_response_serializer(self, status_code: str):
        permission = self._step_up_permission() if status_code == "401" else None
        if permission is not None:
            return permission.error_response_401
        return super()._get_error_response_serializer(status_code)

    def _get_error_response_examples(self):
        examples = super()._get_error_response_examples()
        permission = self._step_up_permission()
        return [*examples, permission.example_401] if permission is not None else examples

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        permission = self._step_up_permission()
        return [*parameters, permission.challenge_header] if permission is not None else parameters

    def _should_add_http403_error_response(self) -> bool:
        # An authentication scheme that limits what its credentials may do (API key scopes)
        # refuses the rest with a 403, whatever the view's own permissions.
        refused = any(
            getattr(authenticator, "may_refuse", None) and authenticator.may_refuse(method=self.method, path=self.path)
            for authenticator in self.view.get_authenticators()
        )
        return refused or super()._should_add_http403_error_response()


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):
    """String patterns the schema can state truthfully: non-blank strings need a non-space character."""

    target_class = "common.serializers.StrictCharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        regexes = [getattr(getattr(v, "regex", None), "pattern", "") for v in self.target.validators]
        if any("\\w" in regex for regex in regexes):
            # A validator's `\w` matches letters of every script in Python but only ASCII ones in
            # JSON Schema (ECMA 262), so drf-spectacular's copy of it would call the valid username
            # "ë5" invalid. What holds in both: no whitespace. (A pattern set here is kept.)
            schema["pattern"] = r"^\S+$"
        elif direction == "request" and self.target.trim_whitespace and not self.target.allow_blank:
            schema.setdefault("pattern", r"\S")
        return schema


class Error503Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("service_unavailable", "Service Unavailable")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse503Serializer(serializers.Serializer):
    """The database cannot be reached: retry after the `Retry-After` header's seconds."""

    type = serializers.ChoiceField(choices=ServerErrorEnum.choices)
    errors = Error503Serializer(many=True)


class LabelledFilterExtension(DjangoFilterExtension):
    """Describe filters whose schema is set by hand (`IdFilter`) with their label, as the others are."""

    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        filters = getattr(getattr(auto_schema.view, "filterset_class", None), "base_filters", {})
        for parameter in parameters:
            label = getattr(filters.get(parameter["name"]), "label", None)
            if label and not parameter.get("description"):
                parameter["description"] = label
        return parameters
