"""GenieACS behind the OSS port: devices, Wi-Fi and reboots through GenieACS's northbound interface (NBI)."""
