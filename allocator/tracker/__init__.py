"""The transfer tracker: runs, the transfers and allocations they propose, and what happened
to each (agreed, completed, delayed, cancelled), in a database that outlives any one week.

``schema`` holds the tables, ``store`` the only code that changes them, ``escalation`` the
policy timescales, ``pins`` the agreed items as overrides for the next plan, ``command`` the
``caseload tracker`` / ``batch`` / ``approve`` commands.
"""
