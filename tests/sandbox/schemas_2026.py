"""JSON Schemas of what api-2026.md lists for the endpoints and fields Calendly added after
the April 2024 openapi.yaml (§2, §3, §6), for answers that file cannot check. Each
schema names its section; `required` holds what the section calls required."""

from __future__ import annotations

from typing import Any

import jsonschema

URI = {"type": "string", "pattern": "^https?://"}
STAMP = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"}
NULLABLE_TEXT = {"type": ["string", "null"]}

# §2: "all keys are required and the links and tokens are nullable".
PAGINATION = {"type": "object",
              "required": ["count", "next_page", "previous_page", "next_page_token",
                           "previous_page_token"],
              "properties": {"count": {"type": "integer", "minimum": 0, "maximum": 100},
                             "next_page": NULLABLE_TEXT, "previous_page": NULLABLE_TEXT,
                             "next_page_token": NULLABLE_TEXT,
                             "previous_page_token": NULLABLE_TEXT}}

# §2 GET /organizations/{uuid}: all required except name.
ORGANIZATION = {"type": "object",
                "required": ["uri", "kind", "plan", "stage", "created_at", "updated_at"],
                "properties": {"uri": URI, "kind": {"enum": ["single", "multiple"]},
                               "name": {"type": "string"},
                               "plan": {"enum": ["basic", "essentials", "standard",
                                                 "professional", "teams", "enterprise"]},
                               "stage": {"enum": ["trial", "free", "paid"]},
                               "created_at": STAMP, "updated_at": STAMP}}

# §3 Users: locale (required), resource_type (required), time_notation (optional).
USER = {"type": "object", "required": ["uri", "name", "email", "locale", "resource_type"],
        "properties": {"uri": URI, "locale": {"enum": ["en", "fr", "es", "de", "pt", "ps"]},
                       "resource_type": {"const": "User"},
                       "time_notation": {"enum": ["12h", "24h"]}}}
# §3 Organization memberships: `user` carries locale (required).
MEMBERSHIP_USER = {"type": "object", "required": ["uri", "email", "locale"],
                   "properties": {"uri": URI, "locale": USER["properties"]["locale"]}}
MEMBERSHIP = {"type": "object", "required": ["uri", "role", "user", "organization"],
              "properties": {"uri": URI, "role": {"enum": ["owner", "admin", "user"]},
                             "user": MEMBERSHIP_USER, "organization": URI}}

# §2 Group: member_count optional.
GROUP = {"type": "object", "required": ["uri", "name", "organization", "created_at",
                                        "updated_at"],
         "properties": {"uri": URI, "name": {"type": "string"}, "organization": URI,
                        "member_count": {"type": "number", "minimum": 0},
                        "created_at": STAMP, "updated_at": STAMP}}

# §2 GroupRelationship: owner is oneOf a membership or an invitation.
OWNER_MEMBERSHIP = {**MEMBERSHIP, "required": [*MEMBERSHIP["required"], "type"],
                    "properties": {**MEMBERSHIP["properties"],
                                   "type": {"const": "OrganizationMembership"}}}
OWNER_INVITATION = {"type": "object", "required": ["uri", "organization", "email", "status",
                                                   "type"],
                    "properties": {"uri": URI, "organization": URI, "email": {"type": "string"},
                                   "status": {"enum": ["pending", "accepted", "declined"]},
                                   "type": {"const": "OrganizationInvitation"}}}
GROUP_RELATIONSHIP = {"type": "object",
                      "required": ["uri", "role", "owner", "organization", "group",
                                   "created_at", "updated_at"],
                      "properties": {"uri": URI, "role": {"enum": ["member", "admin"]},
                                     "owner": {"oneOf": [OWNER_MEMBERSHIP, OWNER_INVITATION]},
                                     "organization": URI, "group": URI,
                                     "created_at": STAMP, "updated_at": STAMP}}

# §2 Team: all required.
TEAM = {"type": "object", "required": ["uri", "name", "organization", "scheduling_url"],
        "properties": {"uri": URI, "name": {"type": "string"}, "organization": URI,
                       "scheduling_url": URI}}

# §2 /event_type_memberships: uri required; a full EventType and a full User.
EVENT_TYPE = {"type": "object", "required": ["uri", "name", "kind", "pooling_type", "profile"],
              "properties": {"uri": URI,
                             "pooling_type": {"enum": ["round_robin", "collective",
                                                       "multi_pool", None]}}}
EVENT_TYPE_MEMBERSHIP = {"type": "object", "required": ["uri", "event_type", "member"],
                         "properties": {"uri": URI, "event_type": EVENT_TYPE, "member": USER,
                                        "created_at": STAMP, "updated_at": STAMP}}

# §2 /user_meeting_limits: exactly one item, each limit an integer 1-9999 or null.
LIMIT = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 9999}, {"type": "null"}]}
MEETING_LIMITS = {"type": "object", "required": ["collection"],
                  "properties": {"collection": {
                      "type": "array", "minItems": 1, "maxItems": 1,
                      "items": {"type": "object",
                                "required": ["daily_limit", "weekly_limit", "monthly_limit"],
                                "properties": dict.fromkeys(
                                    ("daily_limit", "weekly_limit", "monthly_limit"), LIMIT)}}}}

# §6: {title, message, details?: [{parameter?, message, code?}]}.
ERROR = {"type": "object", "required": ["title", "message"],
         "properties": {"title": {"type": "string"}, "message": {"type": "string"},
                        "details": {"type": "array", "items": {
                            "type": "object", "required": ["message"],
                            "properties": {"parameter": {"type": "string"},
                                           "message": {"type": "string"},
                                           "code": {"type": "string"}}}}}}


def resource(schema: dict) -> dict:
    return {"type": "object", "required": ["resource"], "properties": {"resource": schema}}


def page(schema: dict) -> dict:
    return {"type": "object", "required": ["collection", "pagination"],
            "properties": {"collection": {"type": "array", "items": schema},
                           "pagination": PAGINATION}}


def check(body: Any, schema: dict) -> Any:
    """`body` if it meets `schema`; raises jsonschema's ValidationError otherwise."""
    jsonschema.validate(body, schema)
    return body
