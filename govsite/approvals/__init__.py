"""Approvals: who must decide a pull request, the signed statements that record their decisions,
and how a clone verifies them (see docs/approvals.md)."""
