"""`setWifiSettings` and `rebootDevice`: changes sent to a CPE through OSS's device management. Each answers
at once with the PENDING task; the device applies it asynchronously and `deviceTaskChanged` tells the rest.
The Wi-Fi password goes to OSS and nowhere else: no type returns it and nothing logs it."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from adapters.errors import NotFound, Rejected
from adapters.ports import cpe
from adapters.ports.cpe import WifiChange
from bff.core.wifi import change_problem
from schema.core.context import Context
from schema.core.errors import known_code
from schema.core.mutation import INPUT, USER_ERRORS
from schema.core.node import decode_id_of, nodes_of
from schema.core.permission import CanManageDevices, require
from schema.service.cpe import DeviceTask, WifiSecurity
from schema.service.cpe_errors import (
    RebootDeviceError,
    RebootDeviceErrorCode,
    SetWifiSettingsError,
    SetWifiSettingsErrorCode,
)

_NO_DEVICE = "No such device."


async def _visible(context: Context, device_id: str) -> bool:
    """Whether the device exists and the viewer may see it (the Device node's own rule)."""
    return bool(await nodes_of(context, "Device", [device_id]))


@strawberry.input(description="The input of `setWifiSettings`: what to change on one Wi-Fi network.")
class SetWifiSettingsInput:
    device_id: strawberry.ID = strawberry.field(description="The router (a `Device` global ID).")
    index: int = strawberry.field(description="Which network: its `WifiNetwork.index`.")
    ssid: str | None = strawberry.field(default=None, description="A new network name; null keeps it.")
    password: str | None = strawberry.field(
        default=None,
        description="A new password; null keeps it. Write-only: it is never shown, returned or logged.",
    )
    security: WifiSecurity | None = strawberry.field(
        default=None, description="A new protection; null keeps it."
    )


@strawberry.type(
    description="The result of `setWifiSettings`: the task sent, or why nothing was (`userErrors`)."
)
class SetWifiSettingsPayload:
    task: DeviceTask | None = strawberry.field(
        default=None, description="The change as sent: PENDING until the router applies it."
    )
    user_errors: list[SetWifiSettingsError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def set_wifi_settings(
    info: Info[Context, None], input: Annotated[SetWifiSettingsInput, strawberry.argument(description=INPUT)]
) -> SetWifiSettingsPayload:
    context = info.context
    error, codes = SetWifiSettingsError.of, SetWifiSettingsErrorCode
    device_id = decode_id_of(input.device_id, "Device")
    if not await _visible(context, device_id):
        return SetWifiSettingsPayload(user_errors=[error(codes.NOT_FOUND, _NO_DEVICE, "input", "deviceId")])
    view = await context.loaders.cpe_by_device_id.load(device_id)
    if view is None or not view.wifi:
        return SetWifiSettingsPayload(
            user_errors=[error(codes.NO_WIFI, "This device has no Wi-Fi to manage.", "input", "deviceId")]
        )
    network = next((n for n in view.wifi if n.index == input.index), None)
    if network is None:
        return SetWifiSettingsPayload(
            user_errors=[error(codes.NETWORK_NOT_FOUND, "The router has no such network.", "input", "index")]
        )
    security = cast("cpe.WifiSecurity | None", input.security.name if input.security is not None else None)
    if security is not None and security not in network.supported_security:
        return SetWifiSettingsPayload(
            user_errors=[
                error(
                    codes.SECURITY_UNSUPPORTED,
                    "This router does not offer that protection.",
                    "input",
                    "security",
                )
            ]
        )
    problem = change_problem(network.security, input.ssid, input.password, security)
    if problem is not None:
        code = codes[problem.code]
        return SetWifiSettingsPayload(
            user_errors=[error(code, problem.message, *(("input", problem.field) if problem.field else ()))]
        )
    change = WifiChange(
        index=input.index,
        ssid=input.ssid,
        passphrase=input.password,
        security=security,
    )
    try:
        task = await context.backends.oss.change_wifi(device_id, change)
    except NotFound:
        return SetWifiSettingsPayload(user_errors=[error(codes.NOT_FOUND, _NO_DEVICE, "input", "deviceId")])
    except Rejected as exc:
        code = known_code(exc.code, codes.REFUSED, source=exc.backend)
        return SetWifiSettingsPayload(user_errors=[error(code, exc.message)])
    return SetWifiSettingsPayload(task=DeviceTask.of(task))


@strawberry.input(description="The input of `rebootDevice`.")
class RebootDeviceInput:
    device_id: strawberry.ID = strawberry.field(description="The device to restart (a `Device` global ID).")


@strawberry.type(
    description="The result of `rebootDevice`: the task sent, or why nothing was (`userErrors`)."
)
class RebootDevicePayload:
    task: DeviceTask | None = strawberry.field(
        default=None, description="The restart as sent: PENDING until the device has restarted."
    )
    user_errors: list[RebootDeviceError] = strawberry.field(default_factory=list, description=USER_ERRORS)


async def reboot_device(
    info: Info[Context, None], input: Annotated[RebootDeviceInput, strawberry.argument(description=INPUT)]
) -> RebootDevicePayload:
    context = info.context
    error, codes = RebootDeviceError.of, RebootDeviceErrorCode
    device_id = decode_id_of(input.device_id, "Device")
    if not await _visible(context, device_id):
        return RebootDevicePayload(user_errors=[error(codes.NOT_FOUND, _NO_DEVICE, "input", "deviceId")])
    if await context.loaders.cpe_by_device_id.load(device_id) is None:
        return RebootDevicePayload(
            user_errors=[
                error(codes.NOT_MANAGEABLE, "This device cannot be restarted remotely.", "input", "deviceId")
            ]
        )
    try:
        task = await context.backends.oss.reboot(device_id)
    except NotFound:
        return RebootDevicePayload(user_errors=[error(codes.NOT_FOUND, _NO_DEVICE, "input", "deviceId")])
    except Rejected as exc:
        return RebootDevicePayload(
            user_errors=[error(known_code(exc.code, codes.REFUSED, source=exc.backend), exc.message)]
        )
    return RebootDevicePayload(task=DeviceTask.of(task))


@strawberry.type
class DeviceMutation:
    set_wifi_settings: SetWifiSettingsPayload = strawberry.mutation(
        resolver=set_wifi_settings,
        description=(
            "Change a Wi-Fi network's name, password or protection on a router. Answers at once with the "
            "PENDING task; `deviceTaskChanged` tells when the router has applied it. Refusals: "
            "`SetWifiSettingsErrorCode`."
        ),
        extensions=require(CanManageDevices()),
    )
    reboot_device: RebootDevicePayload = strawberry.mutation(
        resolver=reboot_device,
        description=(
            "Restart a device. Answers at once with the PENDING task; `deviceTaskChanged` tells when it is "
            "back. Refusals: `RebootDeviceErrorCode`."
        ),
        extensions=require(CanManageDevices()),
    )
