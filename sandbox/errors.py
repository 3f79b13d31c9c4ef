"""The API's error bodies, exactly as the spec's shared responses spell them."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

NOT_IN_ORGANIZATION = "This user is not in your organization"
NO_PERMISSION = "You do not have permission"
NO_ACCESS = "You do not have permission to access this resource."
INTERNAL_MESSAGE = (
    "The server encountered an unexpected condition that prevented it from fulfilling the request."
)


class ApiError(Exception):
    def __init__(self, status: int, title: str, message: str, details: list | None = None):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"title": title, "message": message}
        if details:
            self.body["details"] = details

    def response(self) -> Response:
        return json_response(self.body, self.status)


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json",
                    headers=headers)


def invalid_argument(parameter: str, message: str) -> ApiError:
    return ApiError(400, "Invalid Argument", "The supplied parameters are invalid.",
                    [{"parameter": parameter, "message": message}])


def unauthenticated() -> ApiError:
    # The spec allows only this message, also for an expired or revoked token.
    return ApiError(401, "Unauthenticated", "The access token is invalid")


def forbidden(message: str = NO_ACCESS) -> ApiError:
    return ApiError(403, "Permission Denied", message)


INSUFFICIENT_SCOPE = "This operation requires the scopes listed in the 'required_scopes' array."


def insufficient_scope(required: tuple[str, ...] | list[str]) -> ApiError:
    # api-2026.md §1.5: all three fields, word for word; no `details`.
    error = ApiError(403, "Insufficient scope", INSUFFICIENT_SCOPE)
    error.body["required_scopes"] = list(required)
    return error


def not_found() -> ApiError:
    return ApiError(404, "Resource Not Found", "The server could not find the requested resource.")


def already_exists(message: str) -> ApiError:
    return ApiError(409, "Already Exists", message)


def internal_error() -> ApiError:
    return ApiError(500, "Internal Server Error", INTERNAL_MESSAGE)


def too_many_requests() -> ApiError:
    return ApiError(429, "Too Many Requests", "You have exceeded the rate limit; retry later.")


def external_calendar_error() -> ApiError:
    # The spec's 424 of GET /user_busy_times, word for word.
    return ApiError(424, "External Calendar Error", "There is a problem accessing your calendar.")
