"""OSS's vocabulary and limits: the CPE kinds it knows, the usage window it answers for, and what a device
report may say."""

from __future__ import annotations

DEVICE_KINDS = ("ONT", "ROUTER", "STB", "ATA", "GATEWAY")

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 90

MIN_SIGNAL_DBM, MAX_SIGNAL_DBM = -50.0, 10.0
MAX_FIRMWARE = 64
