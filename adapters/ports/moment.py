"""A point in time as the ports carry it: a timezone-aware datetime.

Decoding refuses a datetime without an offset (it cannot say which instant it is) with a ContractViolation;
"Z" becomes `datetime.UTC`, any other offset is kept as sent (the same instant; the GraphQL `DateTime`
scalar writes every instant in UTC).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

Moment = Annotated[datetime, Meta(tz=True)]
