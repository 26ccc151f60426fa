"""Cross-reference checks between tables, each small and named for what it guards.

Row models have already checked each cell. Here every id that points at another table is
looked up, and contradictions the plan depends on (two lead workers for one child, a
worker with no capacity row) are refused rather than guessed around.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Iterable

from allocator import domain as d
from allocator.caseload import Caseload
from allocator.errors import InputProblem


def cross_reference_problems(caseload: Caseload) -> list[InputProblem]:
    """Every cross-reference problem in ``caseload``; empty when it is consistent."""
    problems: list[InputProblem] = []
    for check in CHECKS:
        problems.extend(check(caseload))
    return problems


def _refs(caseload: Caseload, model: type[d.Row], column: str, known: set[str],
          what: str) -> Iterable[InputProblem]:
    for i, row in enumerate(caseload.rows(model)):
        value = getattr(row, column)
        if value is not None and value not in known:
            yield InputProblem(caseload.file_name(model), caseload.row_number(model, i), column,
                               f"refers to a {what} that is not in the input")


def _ids(caseload: Caseload, model: type[d.Row]) -> set[str]:
    assert model.KEY is not None
    return {getattr(r, model.KEY) for r in caseload.rows(model)}


def person_references(c: Caseload) -> Iterable[InputProblem]:
    people = _ids(c, d.Person)
    for model, column in (
        (d.FamilyMember, "fami_person_id"), (d.Involvement, "invo_person_id"),
        (d.CinEpisode, "cine_person_id"), (d.CpPlan, "cppl_person_id"),
        (d.ClaEpisode, "clae_person_id"), (d.LegalStatus, "lega_person_id"),
        (d.Disability, "disa_person_id"), (d.ImmigrationStatus, "immi_person_id"),
        (d.KeyDate, "kdat_person_id"), (d.ChildFlag, "cfla_person_id"),
    ):
        yield from _refs(c, model, column, people, "person (ssd_person)")


def team_references(c: Caseload) -> Iterable[InputProblem]:
    teams = _ids(c, d.Department)
    for model, column in (
        (d.Department, "dept_team_parent_id"), (d.Professional, "prof_professional_department"),
        (d.Involvement, "invo_professional_team"), (d.CinEpisode, "cine_referral_team"),
        (d.TeamProfile, "tpro_team_id"),
    ):
        yield from _refs(c, model, column, teams, "team (ssd_department)")


def worker_references(c: Caseload) -> Iterable[InputProblem]:
    workers = _ids(c, d.Professional)
    for model, column in (
        (d.Involvement, "invo_professional_id"), (d.WorkerCapacity, "wcap_professional_id"),
        (d.WorkerLeave, "wlea_professional_id"),
    ):
        yield from _refs(c, model, column, workers, "worker (ssd_professionals)")


def cla_review_references(c: Caseload) -> Iterable[InputProblem]:
    cla_ids = {r.clae_cla_id for r in c.rows(d.ClaEpisode)}
    yield from _refs(c, d.ClaReview, "clar_cla_id", cla_ids, "looked-after period (clae_cla_id)")


def one_family_per_person(c: Caseload) -> Iterable[InputProblem]:
    first: dict[str, str] = {}
    for i, row in enumerate(c.rows(d.FamilyMember)):
        family = first.setdefault(row.fami_person_id, row.fami_family_id)
        if family != row.fami_family_id:
            yield InputProblem(c.file_name(d.FamilyMember), c.row_number(d.FamilyMember, i),
                               "fami_family_id", "this person is already in another family")


def every_worker_has_capacity(c: Caseload) -> Iterable[InputProblem]:
    with_capacity = {r.wcap_professional_id for r in c.rows(d.WorkerCapacity)}
    for i, row in enumerate(c.rows(d.Professional)):
        if row.prof_professional_id not in with_capacity:
            yield InputProblem(c.file_name(d.Professional), c.row_number(d.Professional, i),
                               "prof_professional_id",
                               "worker has no row in csl_worker_capacity")


def every_team_has_profile(c: Caseload) -> Iterable[InputProblem]:
    profiled = {r.tpro_team_id for r in c.rows(d.TeamProfile)}
    for i, row in enumerate(c.rows(d.Department)):
        if row.dept_team_id not in profiled:
            yield InputProblem(c.file_name(d.Department), c.row_number(d.Department, i),
                               "dept_team_id", "team has no row in csl_team_profile")


def open_involvements_consistent(c: Caseload) -> Iterable[InputProblem]:
    """One open lead per child, and an open involvement sits in its worker's team."""
    team_of = {p.prof_professional_id: p.prof_professional_department
               for p in c.rows(d.Professional)}
    open_leads: Counter[str] = Counter()
    file = c.file_name(d.Involvement)
    for i, row in enumerate(c.rows(d.Involvement)):
        if row.invo_involvement_end_date is not None:
            continue
        if row.invo_professional_role_id == d.LEAD_ROLE:
            open_leads[row.invo_person_id] += 1
            if open_leads[row.invo_person_id] == 2:
                yield InputProblem(file, c.row_number(d.Involvement, i), "invo_person_id",
                                   "child has a second open lead worker (Allocated Case Worker)")
        worker_team = team_of.get(row.invo_professional_id)
        if worker_team is not None and worker_team != row.invo_professional_team:
            yield InputProblem(file, c.row_number(d.Involvement, i), "invo_professional_team",
                               "open involvement's team differs from the worker's team "
                               "(prof_professional_department)")


def date_order(c: Caseload) -> Iterable[InputProblem]:
    checks: tuple[tuple[type[d.Row], str, str], ...] = (
        (d.CinEpisode, "cine_referral_date", "cine_close_date"),
        (d.CpPlan, "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
        (d.ClaEpisode, "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
        (d.LegalStatus, "lega_legal_status_start_date", "lega_legal_status_end_date"),
        (d.WorkerCapacity, "wcap_start_date", "wcap_leaving_date"),
    )
    for model, start_col, end_col in checks:
        for i, row in enumerate(c.rows(model)):
            start, end = getattr(row, start_col), getattr(row, end_col)
            if start is not None and end is not None and end < start:
                yield InputProblem(c.file_name(model), c.row_number(model, i), end_col,
                                   f"is before {start_col}")


CHECKS: tuple[Callable[[Caseload], Iterable[InputProblem]], ...] = (
    person_references, team_references, worker_references, cla_review_references,
    one_family_per_person, every_worker_has_capacity, every_team_has_profile,
    open_involvements_consistent, date_order,
)
