"""What a sync stores: Calendly's data keyed by Calendly URI, and the runs that stored it.

Every Calendly record is written by an upsert on its URI, so running a sync twice
changes nothing. Busy blocks and available slots have no URI of their own; they
are replaced window by window (see ``sync.runs``), which is just as
idempotent. Times are UTC instants; rules stay in their schedule's time zone.
Calendly's null text is stored as an empty string, as Django does.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

URI = {"max_length": 500}


class Organization(models.Model):
    uri = models.URLField(**URI, unique=True)
    # Calendly's name for it (GET /organizations/{uuid}); blank until read, or when Calendly
    # gave none or refused: pages then say "your organization", never the URI.
    name = models.CharField(max_length=200, blank=True)
    # When Calendly was last asked for the name, answered or not (sync/organization_name.py),
    # and why it gave none that time (a refusal, no name, an odd answer); blank when it did.
    name_asked_at = models.DateTimeField(null=True, blank=True)
    name_problem = models.CharField(max_length=500, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.uri


class CalendlyUser(models.Model):
    """A Calendly user, whether or not they signed in here (an organization sync adds members)."""

    class Problem(models.TextChoices):
        NONE = "", "None"
        PERMISSION_DENIED = "permission_denied", "Calendly refused access"
        INSUFFICIENT_SCOPE = "insufficient_scope", "Calendly app lacks a scope"
        EXTERNAL_CALENDAR = "external_calendar", "External calendar unreachable"
        NOT_FOUND = "not_found", "Not found in Calendly"
        FAILED = "failed", "Sync failed"

    uri = models.URLField(**URI, unique=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    slug = models.CharField(max_length=200, blank=True)
    scheduling_url = models.URLField(**URI, blank=True)
    avatar_url = models.URLField(**URI, blank=True)
    # As Calendly wrote it; ``timezone_known`` is False when it is no IANA name.
    timezone = models.CharField(max_length=100, blank=True)
    timezone_known = models.BooleanField(default=False)
    # "12h" or "24h" as /users/me says (their own sync); blank until then.
    time_notation = models.CharField(max_length=3, blank=True)
    # Caps on the meetings they host (null: none), readable only by the user themselves, so
    # set by their own sync alone (GET /user_meeting_limits).
    daily_limit = models.PositiveIntegerField(null=True, blank=True)
    weekly_limit = models.PositiveIntegerField(null=True, blank=True)
    monthly_limit = models.PositiveIntegerField(null=True, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    # When their teams were last read (GET /teams?user=: Calendly lists no team's members,
    # so an organization sync reads them one person at a time, at most daily).
    teams_read_at = models.DateTimeField(null=True, blank=True)
    # The last problem syncing this person's schedules or busy times, shown beside them.
    sync_problem = models.CharField(max_length=30, choices=Problem.choices, blank=True)
    sync_problem_detail = models.CharField(max_length=500, blank=True)
    sync_problem_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.email or self.uri


class MembershipQuerySet(models.QuerySet):
    def administering(self) -> MembershipQuerySet:
        """Who administers an organization: its owners and admins, as last synced. The one
        place that rule is written; narrow it with ``organization__uri`` or ``user__uri``."""
        return self.filter(role__in=Membership.ADMIN_ROLES)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        USER = "user", "Member"

    uri = models.URLField(**URI, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(CalendlyUser, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.USER)
    synced_at = models.DateTimeField()

    ADMIN_ROLES = (Role.OWNER, Role.ADMIN)
    objects = MembershipQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id} ({self.role})"

    @property
    def can_administer(self) -> bool:
        return self.role in self.ADMIN_ROLES


class PeopleSet(models.Model):
    """A set of the organization's people as Calendly's admins arrange them: a group or a
    team. The team pages filter by it; ``name`` is blank when Calendly gave none."""

    uri = models.URLField(**URI, unique=True)
    name = models.CharField(max_length=200, blank=True)
    synced_at = models.DateTimeField()
    # What was odd at the last sync (no name; for a group: no member here, members who
    # left), for the pages to say beside it; blank when nothing was.
    problem = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name or f"Unnamed {self._meta.verbose_name}"


class Group(PeopleSet):
    """GET /groups, with its members from /group_relationships (role "member")."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="groups")
    members = models.ManyToManyField(CalendlyUser, blank=True, related_name="calendly_groups")


class Team(PeopleSet):
    """GET /teams; members are those whose own /teams?user= listing names it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    members = models.ManyToManyField(CalendlyUser, blank=True, related_name="teams")


class EventType(models.Model):
    uri = models.URLField(**URI, unique=True)
    # The profile's owner when it is a user we know; team event types have none.
    owner = models.ForeignKey(
        CalendlyUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_types"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="event_types"
    )
    profile_type = models.CharField(max_length=20, blank=True)
    profile_name = models.CharField(max_length=200, blank=True)
    profile_owner_uri = models.URLField(**URI, blank=True)
    name = models.CharField(max_length=200, blank=True)
    slug = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    scheduling_url = models.URLField(**URI, blank=True)
    duration = models.PositiveIntegerField(default=0)
    duration_options = models.JSONField(null=True, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    pooling_type = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=40, blank=True)
    color = models.CharField(max_length=20, blank=True)
    description_plain = models.TextField(blank=True)
    secret = models.BooleanField(default=False)
    booking_method = models.CharField(max_length=20, blank=True)
    admin_managed = models.BooleanField(default=False)
    position = models.IntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    calendly_updated_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField()
    # Who hosts a team event type, as Calendly's /event_type_memberships lists them
    # (sync/hosts.py), hosts who never signed in here included; a solo one's host is its owner.
    hosts = models.ManyToManyField(CalendlyUser, blank=True, related_name="hosted_event_types")

    class Meta:
        indexes = [
            models.Index(fields=["owner", "active"]),
            models.Index(fields=["organization", "active"]),
        ]

    def __str__(self) -> str:
        return self.name or self.uri


class AvailabilitySchedule(models.Model):
    uri = models.URLField(**URI, unique=True)
    user = models.ForeignKey(CalendlyUser, on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(max_length=200, blank=True)
    is_default = models.BooleanField(default=False)
    timezone = models.CharField(max_length=100, blank=True)
    timezone_known = models.BooleanField(default=False)
    # Calendly's rules as given: [{"type": "wday"|"date", "wday"|"date": ..., "intervals": [...]}]
    rules = models.JSONField(default=list)
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name or self.uri


class ScheduledEvent(models.Model):
    """A booked Calendly event's name, by URI: busy times name only the event's URI.

    Read once per run (``/scheduled_events``, the whole horizon) and looked up when busy
    blocks are written, possibly by another task of the same organization run."""

    uri = models.URLField(**URI, unique=True)
    name = models.CharField(max_length=255, blank=True)
    start = models.DateTimeField()
    synced_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["start"])]

    def __str__(self) -> str:
        return self.name or self.uri


class BusyBlock(models.Model):
    class Type(models.TextChoices):
        CALENDLY = "calendly", "Calendly event"
        EXTERNAL = "external", "External calendar"

    user = models.ForeignKey(CalendlyUser, on_delete=models.CASCADE, related_name="busy_blocks")
    type = models.CharField(max_length=10, choices=Type.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    buffered_start = models.DateTimeField(null=True, blank=True)
    buffered_end = models.DateTimeField(null=True, blank=True)
    event_uri = models.URLField(**URI, blank=True)
    # The booked event's name, when a run read it (``ScheduledEvent``); blank for external ones.
    event_name = models.CharField(max_length=255, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "start"])]

    def __str__(self) -> str:
        return f"{self.type} {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M}"


class AvailableSlot(models.Model):
    event_type = models.ForeignKey(EventType, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    status = models.CharField(max_length=20, default="available")
    invitees_remaining = models.PositiveIntegerField(default=1)
    scheduling_url = models.URLField(**URI, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_type", "start"], name="slot_once_per_start")
        ]

    def __str__(self) -> str:
        return f"{self.event_type_id} at {self.start:%Y-%m-%d %H:%M}"


class SyncRun(models.Model):
    """One sync of a user or an organization: the lock, the progress bar and the record."""

    class Kind(models.TextChoices):
        USER = "user", "User"
        ORGANIZATION = "organization", "Organization"

    class ErrorKind(models.TextChoices):
        NONE = "", "None"
        RATE_LIMITED = "rate_limited", "Rate limited"
        CALENDLY_UNAVAILABLE = "calendly_unavailable", "Calendly unavailable"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        PERMISSION = "permission", "Permission denied"
        INSUFFICIENT_SCOPE = "insufficient_scope", "Calendly app lacks a scope"
        FAILED = "failed", "Failed"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject_uri = models.URLField(**URI)
    credential = models.ForeignKey(
        "accounts.CalendlyCredential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sync_runs",
    )
    trigger = models.CharField(max_length=20, default="schedule")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease: a running run whose heartbeat is older than SYNC_LEASE_SECONDS is dead.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    api_calls = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0)
    items_written = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=30, choices=ErrorKind.choices, blank=True)
    # When the task retries this failed run (a Celery retry it scheduled); null: no retry due.
    retry_at = models.DateTimeField(null=True, blank=True)
    # {user URI: "403 Permission Denied: ..."} for members whose data could not be read.
    member_errors = models.JSONField(default=dict, blank=True)
    # The scopes Calendly said a call of this run lacked (403 "Insufficient scope"), one
    # list per refusal of which any one name would do: [["availability:read"], ...].
    missing_scopes = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "subject_uri", "-created_at"])]
        constraints = [
            # The lock: at most one running run per subject, on SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                fields=["kind", "subject_uri"],
                condition=Q(status="running"),
                name="one_running_sync_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} sync of {self.subject_uri} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status not in self.ACTIVE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))
