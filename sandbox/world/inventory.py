"""What every system derives alike from a sub-service of the world: its place in the subscriber's list and
the day it was activated. The CRM lists the inventory and Billing prints it on invoices; both take these from
here, so that the two lists agree to the day and to the order."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any


def natural_key(text: str) -> list[Any]:
    """ "SS-9001-10" after "SS-9001-9": digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def activated_on(subservice_id: str, today: date) -> date:
    # Seeded per id, so adding the bench subscriber does not move the demo dates; always before the
    # three paid months Billing seeds. (The seed string predates Billing's copy: kept, so dates stay put.)
    days = random.Random(f"crm-activation:{subservice_id}").randint(180, 1500)
    return today - timedelta(days=days)
