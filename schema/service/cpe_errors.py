"""Why the device mutations fail: one error type and one code enum per mutation."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.errors import CodedError

_NOT_FOUND = "No such device (a foreign ID answers the same)."
_REFUSED = (
    "The network's device management refused for a reason this enum does not list; `message` is its own."
)


@strawberry.enum(description="Why `setWifiSettings` failed.")
class SetWifiSettingsErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND)
    NO_WIFI = strawberry.enum_value(
        "NO_WIFI", description="The device has no Wi-Fi the portal can manage (`wifiNetworks` is empty)."
    )
    NETWORK_NOT_FOUND = strawberry.enum_value(
        "NETWORK_NOT_FOUND", description="The router has no network with this `index`."
    )
    NOTHING_TO_CHANGE = strawberry.enum_value(
        "NOTHING_TO_CHANGE", description="None of `ssid`, `password` and `security` was given."
    )
    SSID_INVALID = strawberry.enum_value(
        "SSID_INVALID", description="The name is empty, longer than 32 bytes, or has control characters."
    )
    PASSWORD_INVALID = strawberry.enum_value(
        "PASSWORD_INVALID",
        description="Not 8 to 63 printable ASCII characters (WPA2 also takes 64 hex digits; WPA3 does not).",
    )
    PASSWORD_REQUIRED = strawberry.enum_value(
        "PASSWORD_REQUIRED",
        description="The new protection needs a new password (from an open network, or to WPA3).",
    )
    PASSWORD_NOT_ALLOWED = strawberry.enum_value(
        "PASSWORD_NOT_ALLOWED", description="A password was given for an open network."
    )
    SECURITY_UNSUPPORTED = strawberry.enum_value(
        "SECURITY_UNSUPPORTED", description="The router does not offer this protection (`supportedSecurity`)."
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `setWifiSettings`.")
class SetWifiSettingsError(CodedError[SetWifiSettingsErrorCode]):
    pass


@strawberry.enum(description="Why `rebootDevice` failed.")
class RebootDeviceErrorCode(Enum):
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description=_NOT_FOUND)
    NOT_MANAGEABLE = strawberry.enum_value(
        "NOT_MANAGEABLE", description="The portal cannot manage this device remotely (`manageable` is false)."
    )
    REFUSED = strawberry.enum_value("REFUSED", description=_REFUSED)


@strawberry.type(description="A refusal of `rebootDevice`.")
class RebootDeviceError(CodedError[RebootDeviceErrorCode]):
    pass
