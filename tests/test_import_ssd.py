"""SSD extract import: the shared SSD specs, and an extract shaped as a council's would be."""

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from allocator import domain as d
from allocator.demo import write_demo
from allocator.importers.api import ImportOptions, run_import
from allocator.importers.report import ImportFailed
from allocator.io.reader import read_caseload

SCHEMA = Path(__file__).parents[2] / "shared" / "data" / "ssd-schema"
EXTRACT_DATE = date(2026, 11, 20)


def _spec_fields(table: str) -> set[str]:
    text = (SCHEMA / f"{table}.yml").read_text(encoding="utf-8")
    return set(re.findall(r"^\s*- name: (\w+)\s*$", text, re.MULTILINE)) - {table}


@pytest.mark.skipif(not SCHEMA.exists(), reason="needs ../shared/data")
@pytest.mark.parametrize("model", [m for m in d.TABLES if m.TABLE.startswith("ssd_")],
                         ids=lambda m: m.TABLE)
def test_every_product_column_is_an_ssd_field(model):
    assert set(model.model_fields) <= _spec_fields(model.TABLE)


@pytest.fixture(scope="module")
def ssd_extract(tmp_path_factory) -> Path:
    """A demo council rewritten as an SSD extract: SSD-only columns added, UK dates, a BOM,
    and no csl_* tables (the SSD has none)."""
    demo = write_demo(tmp_path_factory.mktemp("demo") / "council", 120, 9, EXTRACT_DATE)
    folder = tmp_path_factory.mktemp("ssd") / "extract"
    folder.mkdir()
    for path in sorted(demo.glob("ssd_*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        extra = {"ssd_person": "pers_sex", "ssd_department": "dept_team_parent_name",
                 "ssd_professionals": "prof_social_worker_registration_no"}.get(path.stem)
        if extra:
            header, body = header + [extra], [r + ["x"] for r in body]
        body = [[re.sub(r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1", c) for c in r] for r in body]
        with open(folder / path.name, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows([header, *body])
    return folder


def _teams(tmp_path: Path) -> Path:
    """The demo's team names map to the pack's services by their service name."""
    path = tmp_path / "teams.csv"
    path.write_text("team_name,team_id,service,locality\n"
                    "Care Service Central,care-c,care,Central\n")
    return path


def test_ssd_extract_imports_keeping_ids_and_accounting_for_rows(ssd_extract, tmp_path):
    result = run_import("ssd", ssd_extract, tmp_path / "out",
                        ImportOptions(generate_staff=True, extract_date=EXTRACT_DATE,
                                      teams=_teams(tmp_path)))
    report = result.report
    assert report.balanced() and result.complete and not report.rejections
    assert not report.unmapped
    caseload = read_caseload(tmp_path / "out")
    source_people = (ssd_extract / "ssd_person.csv").read_text(encoding="utf-8-sig").count("\n") - 1
    assert len(caseload.tables["ssd_person"]) == source_people
    assert len(caseload.tables["ssd_family"]) > 0
    team_ids = {t.dept_team_id for t in caseload.tables["ssd_department"]}
    source_teams = (ssd_extract / "ssd_department.csv").read_text(encoding="utf-8-sig")
    assert all(t in source_teams for t in team_ids - {"care-c"})
    assert any("SSD column(s) not read" in n for n in report.notes)


def test_ssd_involvement_with_an_unknown_role_is_rejected_and_listed(ssd_extract, tmp_path):
    folder = tmp_path / "extract"
    folder.mkdir()
    for path in ssd_extract.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        if path.name == "ssd_involvements.csv":
            text = text.replace("Co-worker", "Team Manager", 1)
        (folder / path.name).write_text(text, encoding="utf-8")
    result = run_import("ssd", folder, tmp_path / "out",
                        ImportOptions(generate_staff=True, extract_date=EXTRACT_DATE,
                                      teams=_teams(tmp_path)))
    [issue] = [i for i in result.report.rejections if i.file == "ssd_involvements.csv"]
    assert issue.code == "UNMAPPED_CODE" and issue.column == "invo_professional_role_id"
    assert [u.value for u in result.report.unmapped] == ["Team Manager"]


def test_ssd_folder_without_required_tables_is_refused(tmp_path):
    (tmp_path / "extract").mkdir()
    (tmp_path / "extract" / "ssd_person.csv").write_text("pers_person_id,pers_dob\n1,2010-01-01\n")
    with pytest.raises(ImportFailed) as err:
        run_import("ssd", tmp_path / "extract", tmp_path / "out", ImportOptions())
    assert {i.file for i in err.value.issues} == {"ssd_department.csv", "ssd_professionals.csv",
                                                  "ssd_involvements.csv"}
