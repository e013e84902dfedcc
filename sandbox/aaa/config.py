"""AAA's vocabulary and limits: what a status and a reason may be, who changes them, and what a restricted
sub-service still gets."""

from __future__ import annotations

STATUSES = ("ACTIVE", "SUSPENDED", "RESTRICTED")
REASONS = ("NON_PAYMENT", "ADMINISTRATIVE", "FRAUD", "USAGE_CAP", "CUSTOMER_REQUEST")
ACTORS = ("SYSTEM", "SERVICE", "OPERATOR")

# What a RESTRICTED sub-service gets instead of its plan: enough for the portal and a payment page.
RESTRICTED_PROFILE = ("Restricted", 1, 1)
NAS_SITES = ("north", "south", "harbor", "core")

MAX_NOTE = 500
MAX_HISTORY = 500
