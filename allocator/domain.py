"""The input format: one frozen pydantic model per table row, in the national SSD's names.

A council's data is a folder of CSV files (or one .xlsx with a sheet per table), one table
per model below. Tables and columns follow the Standard Safeguarding Dataset (``ssd_*``)
where it has them; the few it lacks (future key dates, worker capacity, leave, team
profile) are ``csl_*`` tables named in the same style. Only the columns the product uses
are read: that is the data-minimisation boundary (see docs/input-format.md).

Every cell arrives as text and is parsed strictly here: ISO dates only, Y/N flags only,
identifiers kept as text (leading zeros survive).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from allocator.calendar import parse_weekdays

FORMAT_VERSION = 1

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _parse_iso_date(value: object) -> object:
    value = _blank_to_none(value)
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not a real calendar date") from None


def _parse_id(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be text")
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if len(text) > 64:
        raise ValueError("must be at most 64 characters")
    if _CONTROL.search(text):
        raise ValueError("must not contain control characters")
    return text


def _parse_yes_no(value: object) -> object:
    if isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if text in ("Y", "YES", "TRUE", "1"):
        return True
    if text in ("N", "NO", "FALSE", "0", ""):
        return False
    raise ValueError("must be Y or N")


def _parse_weekdays(value: object) -> object:
    if isinstance(value, frozenset):
        return value
    if not isinstance(value, str):
        raise ValueError("must be weekday names such as Mon,Tue,Wed")
    days = parse_weekdays(value)
    if not days:
        raise ValueError("must name at least one weekday")
    if any(d > 4 for d in days):
        raise ValueError("must name weekdays Mon to Fri only")
    return days


Id = Annotated[str, BeforeValidator(_parse_id)]
OptId = Annotated[str | None, BeforeValidator(lambda v: None if _blank_to_none(v) is None
                                              else _parse_id(v))]
Day = Annotated[date, BeforeValidator(_parse_iso_date)]
OptDay = Annotated[date | None, BeforeValidator(_parse_iso_date)]
YesNo = Annotated[bool, BeforeValidator(_parse_yes_no)]
Weekdays = Annotated[frozenset[int], BeforeValidator(_parse_weekdays)]
OptText = Annotated[str | None, BeforeValidator(_blank_to_none), Field(max_length=200)]


class Row(BaseModel):
    """Base of every table row: immutable, unknown columns refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    TABLE: ClassVar[str]
    KEY: ClassVar[str | None] = None  # the column that must be unique, if any


class Person(Row):
    TABLE = "ssd_person"
    KEY = "pers_person_id"
    pers_person_id: Id
    pers_dob: OptDay = None
    pers_expected_dob: OptDay = None

    @model_validator(mode="after")
    def _has_a_birth_date(self) -> "Person":
        if self.pers_dob is None and self.pers_expected_dob is None:
            raise ValueError("pers_dob or pers_expected_dob must be given")
        return self


class FamilyMember(Row):
    TABLE = "ssd_family"
    KEY = "fami_table_id"
    fami_table_id: Id
    fami_family_id: Id
    fami_person_id: Id


class Department(Row):
    TABLE = "ssd_department"
    KEY = "dept_team_id"
    dept_team_id: Id
    dept_team_name: Annotated[str, Field(min_length=1, max_length=120)]
    dept_team_parent_id: OptId = None


class Professional(Row):
    TABLE = "ssd_professionals"
    KEY = "prof_professional_id"
    prof_professional_id: Id
    prof_professional_name: OptText = None
    prof_professional_job_title: OptText = None
    prof_professional_department: Id
    prof_full_time_equivalency: Annotated[float, Field(gt=0, le=1)]
    prof_agency_worker_flag: YesNo = False


LEAD_ROLE = "Allocated Case Worker"
CO_WORKER_ROLE = "Co-worker"


class Involvement(Row):
    TABLE = "ssd_involvements"
    KEY = "invo_involvements_id"
    invo_involvements_id: Id
    invo_professional_id: Id
    invo_professional_role_id: Literal["Allocated Case Worker", "Co-worker"]
    invo_professional_team: Id
    invo_involvement_start_date: Day
    invo_involvement_end_date: OptDay = None
    invo_person_id: Id

    @model_validator(mode="after")
    def _ends_after_start(self) -> "Involvement":
        end = self.invo_involvement_end_date
        if end is not None and end < self.invo_involvement_start_date:
            raise ValueError("invo_involvement_end_date is before invo_involvement_start_date")
        return self


class CinEpisode(Row):
    TABLE = "ssd_cin_episodes"
    KEY = "cine_referral_id"
    cine_referral_id: Id
    cine_person_id: Id
    cine_referral_date: Day
    cine_cin_primary_need_code: Annotated[str | None, BeforeValidator(_blank_to_none),
                                          Field(pattern=r"^N[0-9]$")] = None
    cine_close_date: OptDay = None
    cine_referral_team: OptId = None


class CpPlan(Row):
    TABLE = "ssd_cp_plans"
    KEY = "cppl_cp_plan_id"
    cppl_cp_plan_id: Id
    cppl_person_id: Id
    cppl_cp_plan_start_date: Day
    cppl_cp_plan_end_date: OptDay = None


class ClaEpisode(Row):
    TABLE = "ssd_cla_episodes"
    KEY = "clae_cla_episode_id"
    clae_cla_episode_id: Id
    clae_person_id: Id
    clae_cla_episode_start_date: Day
    clae_cla_episode_ceased_date: OptDay = None
    clae_cla_id: Id


class ClaReview(Row):
    TABLE = "ssd_cla_reviews"
    KEY = "clar_cla_review_id"
    clar_cla_review_id: Id
    clar_cla_id: Id
    clar_cla_review_due_date: OptDay = None
    clar_cla_review_date: OptDay = None


LEGAL_STATUS_CODES = frozenset(
    {"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"}
)


class LegalStatus(Row):
    TABLE = "ssd_legal_status"
    KEY = "lega_legal_status_id"
    lega_legal_status_id: Id
    lega_person_id: Id
    lega_legal_status: Annotated[str, Field(pattern=r"^(C1|C2|D1|E1|J1|J2|J3|L1|L2|L3|V2|V3|V4)$")]
    lega_legal_status_start_date: Day
    lega_legal_status_end_date: OptDay = None


class Disability(Row):
    TABLE = "ssd_disability"
    KEY = "disa_table_id"
    disa_table_id: Id
    disa_person_id: Id
    disa_disability_code: Annotated[str, Field(min_length=1, max_length=10)]


class ImmigrationStatus(Row):
    TABLE = "ssd_immigration_status"
    KEY = "immi_immigration_status_id"
    immi_immigration_status_id: Id
    immi_person_id: Id
    immi_immigration_status: Annotated[str, Field(min_length=1, max_length=40)]
    immi_immigration_status_start_date: OptDay = None
    immi_immigration_status_end_date: OptDay = None


EVENT_TYPES = (
    "strategy_discussion",  # s47 strategy discussion or meeting
    "assessment_completed",  # single assessment authorised
    "network_meeting",  # end-of-assessment network meeting
    "cin_review",  # child in need review meeting
    "icpc",  # initial child protection conference
    "rcpc",  # review child protection conference
    "legal_planning_meeting",
    "gateway_meeting",  # legal gateway / legal planning panel
    "pre_proceedings_meeting",  # PLO pre-proceedings meeting
    "epo_hearing",  # emergency protection order or urgent ICO application hearing
    "first_hearing",  # first hearing in care proceedings
    "irh",  # issues resolution hearing
    "final_hearing",
    "cla_review",  # looked-after review
    "permanency_planning_meeting",
    "fgc",  # family group conference
    "placement_order",
    "adoption_order",
    "return_home",
    "pathway_plan_review",
    "court_report_request",  # a court asks for a section 7 or section 37 report
    # Derived, not entered as key dates: orders from ssd_legal_status start dates, and the
    # start of each looked-after period from ssd_cla_episodes.
    "ico_made", "care_order_made", "placement_order_made", "accommodated",
)
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class KeyDate(Row):
    """A dated event in a child's case: held, scheduled, deferred or cancelled.

    When an event is deferred, ``kdat_event_date`` holds the new date and
    ``kdat_original_date`` the date it replaced: transfer points follow the new date.
    """

    TABLE = "csl_key_dates"
    KEY = "kdat_key_date_id"
    kdat_key_date_id: Id
    kdat_person_id: Id
    kdat_event_type: EventType
    kdat_event_date: Day
    kdat_original_date: OptDay = None
    kdat_status: Literal["scheduled", "held", "deferred", "cancelled"] = "scheduled"


class WorkerCapacity(Row):
    """What the SSD lacks about a worker: ASYE status, capacity, working pattern, dates."""

    TABLE = "csl_worker_capacity"
    KEY = "wcap_professional_id"
    wcap_professional_id: Id
    wcap_asye: YesNo
    wcap_capacity_points: Annotated[int, Field(ge=0, le=10_000)]
    wcap_working_days: Weekdays
    wcap_start_date: OptDay = None
    wcap_leaving_date: OptDay = None
    wcap_max_new_per_week: Annotated[int, Field(ge=0, le=100)] = 4
    wcap_case_holding: YesNo = True


class WorkerLeave(Row):
    TABLE = "csl_worker_leave"
    KEY = "wlea_leave_id"
    wlea_leave_id: Id
    wlea_professional_id: Id
    wlea_start_date: Day
    wlea_end_date: Day

    @model_validator(mode="after")
    def _ends_after_start(self) -> "WorkerLeave":
        if self.wlea_end_date < self.wlea_start_date:
            raise ValueError("wlea_end_date is before wlea_start_date")
        return self


class TeamProfile(Row):
    """Which of the pack's services a team belongs to, and when it holds transfer meetings."""

    TABLE = "csl_team_profile"
    KEY = "tpro_team_id"
    tpro_team_id: Id
    tpro_service: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]
    tpro_locality: OptText = None
    tpro_meeting_days: Weekdays = frozenset({0, 1, 2, 3, 4})
    tpro_meeting_slots: Annotated[int, Field(ge=1, le=50)] = 4


CHILD_FLAGS = {
    "transfer_in": "arrived from another authority on a plan",
    "private_fostering": "private fostering notification",
    "relinquished": "baby relinquished for adoption",
    "relinquishment_uncertain": "relinquishment not yet clear",
    "family_identified": "adoptive family identified and matching panel set",
    "adoption_plan_changed": "care plan changed from adoption to long-term care",
    "returned_home": "looked-after (s20) child has returned home",
    "return_home_imminent": "return home is imminent",
    "relevant_child": "relevant child under the Children (Leaving Care) Act 2000",
    "placed_with_parents": "placed with parents under a care or interim care order",
    "sgo_application": "special guardianship application in progress",
    "primary_need_disability": "disability is the primary reason for allocation",
    "exploitation_high": "exploitation risk assessed as high",
    "exploitation_police_operation": "exploitation linked to a police operation or organised crime",
    "exploitation_medium": "exploitation risk assessed as medium",
    "edge_of_care": "at the edge of care",
    "homeless_16_17": "homeless 16 or 17 year old",
    "supervision_order": "subject to a supervision order",
    "remain_looked_after": "a looked-after review decided the child remains looked after",
    "proceedings_to_issue": "legal planning decided to issue care proceedings",
    "pre_proceedings": "legal planning decided on pre-proceedings (PLO)",
    "step_down_proposed": "the team proposes stepping the case down",
    "sibling_closed_to_cwd": "the disabled sibling's case has closed to the disability team",
    "referred_after_16_weeks": "referred after 16 weeks of pregnancy",
}


class ChildFlag(Row):
    """A fact about a child the SSD does not hold as a field, from the vocabulary above."""

    TABLE = "csl_child_flags"
    KEY = "cfla_flag_id"
    cfla_flag_id: Id
    cfla_person_id: Id
    cfla_flag: Literal[tuple(CHILD_FLAGS)]  # type: ignore[valid-type]
    cfla_start_date: OptDay = None
    cfla_end_date: OptDay = None


class Override(Row):
    """A manager's instruction for this week's plan, always with a reason.

    ``pin_worker``: this child goes to this worker; ``pin_date``: the transfer happens on this
    date; ``forbid_worker``: this worker must not take this child. Overrides live in their
    own file (``caseload plan --overrides FILE``), not in the council's data extract.
    """

    TABLE = "csl_overrides"
    KEY = "over_override_id"
    over_override_id: Id
    over_person_id: Id
    over_action: Literal["pin_worker", "pin_date", "forbid_worker"]
    over_professional_id: OptId = None
    over_date: OptDay = None
    over_reason: Annotated[str, Field(min_length=5, max_length=300)]
    over_by: OptText = None

    @model_validator(mode="after")
    def _fields_for_action(self) -> "Override":
        if self.over_action in ("pin_worker", "forbid_worker") and not self.over_professional_id:
            raise ValueError(f"{self.over_action} needs over_professional_id")
        if self.over_action == "pin_date" and self.over_date is None:
            raise ValueError("pin_date needs over_date")
        return self


TABLES: tuple[type[Row], ...] = (
    Person, FamilyMember, Department, Professional, Involvement, CinEpisode, CpPlan,
    ClaEpisode, ClaReview, LegalStatus, Disability, ImmigrationStatus, KeyDate,
    WorkerCapacity, WorkerLeave, TeamProfile, ChildFlag,
)
REQUIRED_TABLES = frozenset(
    {"ssd_person", "ssd_department", "ssd_professionals", "ssd_involvements",
     "ssd_cin_episodes", "csl_worker_capacity", "csl_team_profile"}
)
TABLE_BY_NAME: dict[str, type[Row]] = {t.TABLE: t for t in TABLES}


class Manifest(BaseModel):
    """``caseload.json``: which format version, council and policy pack the folder is for."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    format: Literal["caseload-input"] = "caseload-input"
    format_version: Literal[1] = FORMAT_VERSION
    council: Annotated[str, Field(min_length=1, max_length=120)]
    pack: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,40}$")]
    extract_date: date
