"""SSDA903 import: the shared fake return, and deliberately broken copies of it."""

import shutil
from pathlib import Path

import pytest

from allocator.importers.api import ImportOptions, run_import
from allocator.importers.report import ImportFailed
from allocator.io.reader import read_caseload

SAMPLE = Path(__file__).parents[2] / "shared" / "data" / "ssda903"
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="needs ../shared/data")


def _copy(tmp_path: Path, keep_children: int | None = None) -> Path:
    """A copy of the sample; with ``keep_children``, only the first children of header.csv."""
    folder = tmp_path / "903"
    shutil.copytree(SAMPLE, folder)
    if keep_children is not None:
        header = (folder / "header.csv").read_text().splitlines()
        kept = {line.split(",")[0] for line in header[1:keep_children + 1]}
        (folder / "header.csv").write_text("\n".join(header[:keep_children + 1]) + "\n")
        for name in ("episodes.csv", "reviews.csv", "uasc.csv"):
            lines = (folder / name).read_text(encoding="utf-8-sig").splitlines()
            body = [ln for ln in lines[1:] if ln.split(",")[0] in kept]
            (folder / name).write_text("\n".join([lines[0], *body]) + "\n")
    return folder


def _import(folder: Path, out: Path, **options):
    return run_import("ssda903", folder, out, ImportOptions(**options))


@pytest.fixture(scope="module")
def sample_import(tmp_path_factory):
    out = tmp_path_factory.mktemp("ssda903") / "out"
    return _import(SAMPLE, out, generate_staff=True), out


def test_sample_every_row_accounted(sample_import):
    result, _ = sample_import
    counts = {t.file: (t.read, t.accepted, t.rejected) for t in result.report.tables.values()}
    assert counts == {
        "header.csv": (2675, 2675, 0),
        "episodes.csv": (5050, 4978, 72),
        "reviews.csv": (12582, 6718, 5864),
        "uasc.csv": (132, 132, 0),
        "sw_episodes.csv": (1, 0, 1),
    }
    assert result.report.balanced() and result.complete
    codes = {i.code for i in result.report.rejections}
    assert codes == {"OVERLAP", "DUPLICATE_ROW", "NO_PERIOD", "OUTSIDE_PERIOD", "UNKNOWN_CHILD"}
    assert result.report.settings["extract_date"] == "2018-04-01"  # latest episode date


def test_sample_output_validates_with_periods_and_legal_statuses(sample_import):
    _, out = sample_import
    caseload = read_caseload(out)
    assert len(caseload.tables["ssd_person"]) == 2675
    assert len(caseload.tables["ssd_cla_episodes"]) == len(caseload.tables["ssd_cin_episodes"])
    assert {r.immi_immigration_status for r in caseload.tables["ssd_immigration_status"]} == {"UASC"}
    assert any(r.cfla_flag == "placed_with_parents" for r in caseload.tables["csl_child_flags"])
    teams = caseload.tables["csl_team_profile"]
    assert [t.tpro_service for t in teams] == ["care"]  # the default team, by keyword rule


def test_report_lists_what_the_return_lacks(sample_import):
    result, _ = sample_import
    assert {m.what for m in result.report.missing} >= {"teams", "workers",
                                                       "sibling groups (ssd_family)"}
    assert any("byte-order mark" in n for n in result.report.notes)


def test_missing_column_means_not_what_its_name_says(tmp_path):
    folder = _copy(tmp_path)
    shutil.copy(folder / "header.csv", folder / "episodes.csv")  # a header file named episodes
    with pytest.raises(ImportFailed) as err:
        _import(folder, tmp_path / "out")
    assert {(i.file, i.column, i.code) for i in err.value.issues} >= {
        ("episodes.csv", "DECOM", "MISSING_COLUMN")}
    assert not (tmp_path / "out").exists()


def test_missing_required_file(tmp_path):
    folder = _copy(tmp_path)
    (folder / "header.csv").unlink()
    with pytest.raises(ImportFailed) as err:
        _import(folder, tmp_path / "out")
    assert [(i.file, i.code) for i in err.value.issues] == [("header.csv", "FILE_MISSING")]


def test_bad_date_duplicate_id_and_unknown_code(tmp_path):
    folder = _copy(tmp_path, keep_children=40)
    header = (folder / "header.csv").read_text().splitlines()
    header[2] = header[2].replace(header[2].split(",")[2], "31/02/2011")  # bad DOB, row 3
    header.append(header[5])  # a duplicate child id, as row 42
    (folder / "header.csv").write_text("\n".join(header) + "\n")
    episodes = (folder / "episodes.csv").read_text().splitlines()
    cells = episodes[1].split(",")
    cells[3] = "Q9"  # LS: not a legal status code
    episodes[1] = ",".join(cells)
    (folder / "episodes.csv").write_text("\n".join(episodes) + "\n")
    result = _import(folder, tmp_path / "out", generate_staff=True)
    header_issues = [(i.row, i.column, i.code) for i in result.report.rejections
                     if i.file == "header.csv"]
    assert header_issues == [(3, "DOB", "BAD_DATE"), (42, "CHILD", "DUPLICATE_ID")]
    assert [u.value for u in result.report.unmapped if u.kind == "legal_status"] == ["Q9"]
    assert result.report.balanced()
    read_caseload(tmp_path / "out")  # still a valid input set


def test_staff_list_matches_sw_episode_worker_ids(tmp_path):
    folder = _copy(tmp_path, keep_children=5)
    child, dob = (folder / "header.csv").read_text().splitlines()[1].split(",")[:3:2]
    (folder / "sw_episodes.csv").write_text(
        f"CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n{child},{dob},SW7,01/01/2018,,\n")
    staff = tmp_path / "staff.csv"
    staff.write_text("worker_id,name,team,role,experience,fte\n"
                     "SW7,A Worker,Children Looked After (SSDA903 import),SW,experienced,1\n")
    result = _import(folder, tmp_path / "out", staff=staff)
    caseload = read_caseload(tmp_path / "out")
    [lead] = [i for i in caseload.tables["ssd_involvements"] if i.invo_involvement_end_date is None]
    assert (lead.invo_person_id, lead.invo_professional_id) == (child, "SW7")
    assert result.complete
