"""The input-format documentation, generated from the row models so it never drifts.

``caseload format-doc`` rewrites docs/input-format.md; a test fails when it is stale.
"""

from __future__ import annotations

from allocator import domain as d

INTRO = """# Input format (version 1)

A council's data is **a folder of CSV files**, one per table, plus `caseload.json`; or **one
.xlsx workbook** with a sheet per table (named as the table) and a sheet `caseload` holding
the manifest as two columns, key and value. `caseload schema` prints the JSON Schema of
every table; `caseload validate SOURCE` checks a folder or workbook and lists every problem
by file, row and field, exiting non-zero and writing nothing.

Tables and columns follow the national **Standard Safeguarding Dataset** (`ssd_*`) where it
has them. The things the SSD lacks are `csl_*` tables named in the same style: future key
dates, worker capacity and working pattern, leave, team profile (service, meeting days),
and `csl_child_flags` for facts a policy turns on that the SSD holds only as free text (a
relinquished baby, a returned-home s20 child).

Only the columns below are read; **any other column is refused**, so an extract cannot carry
more personal data than the product needs (data minimisation). Names of children are never
read.

This page is generated from the row models by `caseload format-doc`.

## Cells

- Every cell is read as text and parsed strictly. Dates are ISO `YYYY-MM-DD` (importers
  convert UK `dd/mm/yyyy`); `31/02` or `2020-02-31` are refused, never guessed.
- Flags are `Y` or `N`. Identifiers are text: leading zeros are kept.
- A blank cell is an absent value. Files are UTF-8 (a byte-order mark is accepted).
- Row numbers in messages are spreadsheet rows: the header is row 1.

## `caseload.json`

```json
{"council": "Demo Borough", "pack": "southwark", "extract_date": "2026-11-20",
 "format": "caseload-input", "format_version": 1}
```

`pack` names the policy pack (a shipped pack, or a path to a council's own `.toml`).
`extract_date` is the day the data was taken; `caseload plan` plans the following week
unless `--week` says otherwise.

## Cross-references checked

Every id that points at another table must exist (person, team, worker, looked-after
period); a person belongs to at most one family; a child has at most one open lead worker
(`Allocated Case Worker`); an open involvement sits in its worker's team; every worker has a
`csl_worker_capacity` row and every team a `csl_team_profile` row whose service the pack
declares; end dates are not before start dates.

## Tables
"""

OUTRO = """
## Capacity

`wcap_capacity_points` is the worker's caseload capacity in points **after** FTE and any ASYE
protection (10 points is one ordinary case; see model.md for case points). The model
reduces it by the share of the next 20 working days the worker is on leave.

## Manager overrides

Overrides are not part of the extract: they are a separate CSV passed with
`caseload plan --overrides FILE`, with the columns of `csl_overrides` below.
"""


def _column_type(name: str, prop: dict[str, object]) -> str:
    if name.endswith("_date") or "dob" in name:
        return "date YYYY-MM-DD"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{e}`" for e in prop["enum"])  # type: ignore[union-attr]
    kind = prop.get("type") or " or ".join(
        str(x.get("type", "?")) for x in prop.get("anyOf", []))  # type: ignore[union-attr]
    if "pattern" in prop:
        kind = f"{kind} matching `{prop['pattern']}`"
    return str(kind)


def _table(model: type[d.Row], required: bool) -> list[str]:
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    lines = [f"### `{model.TABLE}` ({'required' if required else 'optional'})", ""]
    if doc and not doc.startswith("Base of every"):
        lines += [doc, ""]
    lines += ["| column | required | type |", "|---|---|---|"]
    props = model.model_json_schema()["properties"]
    for name, field in model.model_fields.items():
        lines.append(f"| `{name}` | {'yes' if field.is_required() else 'no'} | "
                     f"{_column_type(name, props[name])} |")
    return lines + [""]


def input_format_markdown() -> str:
    """docs/input-format.md, from the row models, flags and event types."""
    out = [INTRO]
    for model in d.TABLES:
        out += _table(model, model.TABLE in d.REQUIRED_TABLES)
    out += ["## Child flags (`csl_child_flags.cfla_flag`)", "", "| flag | meaning |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in d.CHILD_FLAGS.items()]
    out += ["", "## Key date events (`csl_key_dates.kdat_event_type`)", "",
            ", ".join(f"`{e}`" for e in d.EVENT_TYPES) + ".", "",
            "A deferred event keeps one row: `kdat_event_date` is the new date, "
            "`kdat_original_date` the date it replaced and `kdat_status` is `deferred`; "
            "transfer points follow the new date. Cancelled events are ignored. Looked-after "
            "reviews may also come from `ssd_cla_reviews`; `ico_made`, `care_order_made`, "
            "`placement_order_made` and `accommodated` are derived from `ssd_legal_status` "
            "and `ssd_cla_episodes` and need no row.", OUTRO]
    out += _table(d.Override, required=False)
    return "\n".join(out)
