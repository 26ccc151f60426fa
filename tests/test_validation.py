"""Bad input is refused with every problem named by file, row and field, and no values."""

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from allocator.errors import InputError
from allocator.io.reader import read_caseload
from cli import app
from factory import sfs_council


def _problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_caseload(folder)
    return [str(p) for p in info.value.problems]


@pytest.fixture
def valid(tmp_path):
    c = sfs_council()
    c.child("C1", date(2020, 1, 1), "TA", "WA", family="F1")
    c.child("C2", date(2018, 5, 2), "TA", "WA", family="F1")
    return c, tmp_path / "in"


def test_a_valid_folder_reads(valid):
    council, folder = valid
    caseload = read_caseload(council.write(folder))
    assert caseload.manifest.pack == "southwark"
    assert len(caseload.tables["ssd_person"]) == 2


def test_missing_required_file_is_named(valid):
    council, folder = valid
    council.write(folder)
    (folder / "ssd_professionals.csv").unlink()
    assert "ssd_professionals.csv: required table missing" in _problems(folder)


def test_missing_manifest_is_named(valid):
    council, folder = valid
    council.write(folder)
    (folder / "caseload.json").unlink()
    assert any(p.startswith("caseload.json: file missing") for p in _problems(folder))


def test_unknown_worker_id_names_file_row_and_field(valid):
    council, folder = valid
    council.tables["ssd_involvements"][1]["invo_professional_id"] = "W-NOBODY"
    problems = _problems(council.write(folder))
    assert ("ssd_involvements.csv, row 3, field invo_professional_id: refers to a worker "
            "(ssd_professionals) that is not in the input") in problems


def test_bad_date_names_row_and_field_without_the_value(valid):
    council, folder = valid
    council.tables["ssd_person"][0]["pers_dob"] = "31/02/2020"
    problems = _problems(council.write(folder))
    assert problems == ["ssd_person.csv, row 2, field pers_dob: must be a date written YYYY-MM-DD"]
    assert "31/02" not in " ".join(problems)


def test_impossible_calendar_date_is_refused(valid):
    council, folder = valid
    council.tables["ssd_person"][0]["pers_dob"] = "2020-02-31"
    assert _problems(council.write(folder)) == [
        "ssd_person.csv, row 2, field pers_dob: is not a real calendar date"]


def test_duplicate_child_names_second_row(valid):
    council, folder = valid
    council.tables["ssd_person"][1]["pers_person_id"] = "C1"
    problems = _problems(council.write(folder))
    assert "ssd_person.csv, row 3, field pers_person_id: duplicate id: already used on row 2" \
        in problems


def test_sibling_in_a_family_with_an_unknown_person(valid):
    council, folder = valid
    council.add("ssd_family", fami_table_id="FX", fami_family_id="F1", fami_person_id="C-GHOST")
    problems = _problems(council.write(folder))
    assert ("ssd_family.csv, row 4, field fami_person_id: refers to a person (ssd_person) "
            "that is not in the input") in problems


def test_person_in_two_families(valid):
    council, folder = valid
    council.add("ssd_family", fami_table_id="FY", fami_family_id="F2", fami_person_id="C1")
    problems = _problems(council.write(folder))
    assert any("this person is already in another family" in p for p in problems)


def test_two_open_lead_workers_is_a_contradiction(valid):
    council, folder = valid
    council.add("ssd_involvements", invo_involvements_id="IX", invo_professional_id="WA",
                invo_professional_role_id="Allocated Case Worker", invo_professional_team="TA",
                invo_involvement_start_date="2026-10-01", invo_person_id="C1")
    problems = _problems(council.write(folder))
    assert any("second open lead worker" in p for p in problems)


def test_unknown_and_missing_columns_are_named(valid):
    council, folder = valid
    council.write(folder)
    path = folder / "ssd_department.csv"
    text = path.read_text().replace("dept_team_name", "dept_team_nme")
    path.write_text(text)
    problems = _problems(folder)
    assert "ssd_department.csv, row 1, field dept_team_name: required column missing" in problems
    assert "ssd_department.csv, row 1, field dept_team_nme: unknown column" in problems


def test_every_problem_is_reported_not_just_the_first(valid):
    council, folder = valid
    council.tables["ssd_person"][0]["pers_dob"] = "yesterday"
    council.tables["csl_worker_capacity"][0]["wcap_asye"] = "maybe"
    council.tables["ssd_professionals"][0]["prof_full_time_equivalency"] = "1.5"
    assert len(_problems(council.write(folder))) == 3


def test_not_utf8_and_not_csv(valid):
    council, folder = valid
    council.write(folder)
    (folder / "ssd_person.csv").write_bytes(b"pers_person_id,pers_dob\n\xff\xfe,\n")
    (folder / "ssd_family.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    problems = _problems(folder)
    assert "ssd_person.csv: is not UTF-8 text; save it as CSV UTF-8" in problems
    assert any(p.startswith("ssd_family.csv:") for p in problems)


def test_byte_order_mark_is_accepted(valid):
    council, folder = valid
    council.write(folder)
    path = folder / "ssd_person.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    from allocator import domain as d

    assert read_caseload(folder).count(d.Person) == 2


def test_team_service_not_in_pack(valid, tmp_path):
    council, folder = valid
    council.tables["csl_team_profile"][0]["tpro_service"] = "martian"
    council.write(folder)
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "csl_team_profile.csv, row 2, field tpro_service" in result.output


def test_validate_command_exits_non_zero_and_writes_nothing(valid, tmp_path):
    council, folder = valid
    council.tables["ssd_person"][0]["pers_dob"] = "not a date"
    council.write(folder)
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "ssd_person.csv, row 2, field pers_dob" in result.output
    assert sorted(p.name for p in folder.iterdir()) == before


def test_plan_on_bad_input_writes_no_output(valid, tmp_path):
    council, folder = valid
    council.tables["ssd_involvements"][0]["invo_professional_id"] = "W-NOBODY"
    council.write(folder)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["plan", "--input", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    assert not out.exists()


def test_schema_lists_every_table():
    import json

    from allocator import domain as d

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert set(doc["tables"]) == {m.TABLE for m in d.TABLES}
    assert "pers_person_id" in doc["tables"]["ssd_person"]["properties"]


def test_input_format_doc_is_current():
    from pathlib import Path

    from allocator.format_doc import input_format_markdown

    doc = Path(__file__).parent.parent / "docs" / "input-format.md"
    assert doc.read_text(encoding="utf-8") == input_format_markdown(), \
        "docs/input-format.md is stale: run `caseload format-doc`"
