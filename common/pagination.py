"""The API's page-number pagination: 20 by default, `?page_size=` up to 100."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

INVALID_PAGE_SIZE = "page_size must be a positive whole number."


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination that rejects a malformed `page_size` and clamps a large one."""

    page_size_query_param = "page_size"
    page_size_query_description = "Items per page (default 20); more than 100 is read as 100."
    # Pages are numbers, as the schema says; DRF's `?page=last` shortcut is not part of the API.
    last_page_strings = ()

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(self.invalid_page_message.format(page_number="", message="empty page number"))
        return super().get_page_number(request, paginator)

    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: [INVALID_PAGE_SIZE]}, code="invalid")
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
