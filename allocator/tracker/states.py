"""Item states and run statuses: plain names, importable without the database layer."""

# Item states. proposed -> agreed -> completed is the ordinary path; a proposed or agreed
# transfer may be delayed (with a reason) and then agreed again or cancelled.
PROPOSED, AGREED, COMPLETED, DELAYED, CANCELLED = (
    "proposed", "agreed", "completed", "delayed", "cancelled")
STATES = (PROPOSED, AGREED, COMPLETED, DELAYED, CANCELLED)
OPEN_STATES = (PROPOSED, AGREED, DELAYED)

# Run statuses. A run is "started" until its outputs are in place and its items recorded in
# one transaction ("completed"); "failed" runs wrote nothing; "abandoned" runs were killed.
STARTED, RUN_COMPLETED, FAILED, ABANDONED = "started", "completed", "failed", "abandoned"
