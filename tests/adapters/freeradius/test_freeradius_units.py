"""The parts of the FreeRADIUS adapter that need no server: rate attributes, the RFC 5176 codec checked by
pyrad, the settings, the wiring, and a database that is down."""

from __future__ import annotations

import io
import socket
import struct

import pytest
from pyrad.dictionary import Dictionary
from pyrad.packet import CoANAK, CoAPacket

from adapters.errors import Unavailable
from adapters.freeradius import radius
from adapters.freeradius.aaa import FreeradiusAaa
from adapters.freeradius.config import FreeradiusConfig
from adapters.freeradius.rates import parse_mikrotik, reply_values, speeds_of
from adapters.freeradius.sql import PostgresDatabase
from adapters.resilience.guard import Guard, Policy
from bff.core.backends import open_backends
from bff.core.settings import SettingsError, load_settings
from tests.adapters.freeradius.nas import DICTIONARY


@pytest.mark.parametrize(
    ("value", "speeds"),
    [
        ("10M/50M", (50, 10)),
        ("20M", (20, 20)),
        ("512k/2M 1M/4M 256k/1M 8/8", (2, 1)),
        ("1G/1G", (1000, 1000)),
        ("5000000/25000000", (25, 5)),
        ("fast", (None, None)),
    ],
)
def test_mikrotik_rate_limit_is_upload_first(value: str, speeds: tuple[int | None, int | None]) -> None:
    assert parse_mikrotik(value) == speeds


def test_rate_attributes_round_trip() -> None:
    for kind in ("mikrotik", "wispr"):
        assert speeds_of(kind, reply_values(kind, 300, 50)) == (300, 50)  # type: ignore[arg-type]
    assert speeds_of("wispr", [("wispr-bandwidth-max-down", "8000000")]) == (8, None)
    assert speeds_of("mikrotik", [("Framed-Pool", "x")]) is None


def _pyrad(data: bytes, secret: bytes) -> CoAPacket:
    return CoAPacket(secret=secret, dict=Dictionary(io.StringIO(DICTIONARY)), packet=data)


def test_requests_verify_with_pyrad_and_replies_are_checked() -> None:
    secret = b"s3cret"
    attributes = radius.request_attributes(
        "SS-1", "sess", "10.0.0.1", "100.64.0.1", [("Mikrotik-Rate-Limit", "1M/2M")]
    )
    packet = radius.encode_request(radius.COA_REQUEST, 17, attributes, secret)
    decoded = _pyrad(packet, secret)
    assert decoded.VerifyCoARequest() and decoded.verify_message_authenticator()
    assert decoded["User-Name"] == ["SS-1"] and decoded["Mikrotik-Rate-Limit"] == ["1M/2M"]
    assert decoded["NAS-IP-Address"] == ["10.0.0.1"] and decoded["Framed-IP-Address"] == ["100.64.0.1"]
    assert not _pyrad(packet, b"other").VerifyCoARequest()

    reply = decoded.CreateReply()
    reply.code = CoANAK
    reply.AddAttribute("Error-Cause", 503)
    raw = reply.ReplyPacket()
    assert radius.check_reply(raw, packet, secret) == CoANAK
    assert radius.error_cause(raw) == 503
    assert radius.check_reply(raw, packet, b"other") is None  # forged or mis-keyed: ignored
    assert radius.check_reply(raw[:1] + b"\x00" + raw[2:], packet, secret) is None  # another identifier


def test_wispr_values_are_integers_on_the_wire() -> None:
    raw = radius.vendor_attribute("WISPr-Bandwidth-Max-Down", "50000000")
    assert (
        raw[0] == 26
        and struct.unpack("!I", raw[2:6])[0] == 14122
        and struct.unpack("!I", raw[-4:])[0] == 50_000_000
    )


def test_usernames_map_both_ways() -> None:
    config = FreeradiusConfig(database_url="postgresql://x/y", username_template="wg-{id}@isp.example")
    assert config.username("SS-1-2") == "wg-SS-1-2@isp.example"
    assert config.subservice_id("wg-SS-1-2@isp.example") == "SS-1-2"
    assert config.subservice_id("other@isp.example") is None


def test_settings() -> None:
    settings = load_settings(
        {
            "AAA_BACKEND": "freeradius",
            "FREERADIUS_DATABASE_URL": "mysql://radius:pw@db/radius",
            "FREERADIUS_STATUS_GROUPS": "unpaid=SUSPENDED:NON_PAYMENT,capped=restricted:usage_cap",
            "FREERADIUS_NAS_SECRETS": "10.0.0.1=abc,10.0.0.2:1700=def",
            "FREERADIUS_RATE_ATTRIBUTES": "WISPr",
        }
    )
    config = settings.freeradius
    assert settings.aaa_backend == "freeradius" and config is not None
    assert config.status_groups == {
        "unpaid": ("SUSPENDED", "NON_PAYMENT"),
        "capped": ("RESTRICTED", "USAGE_CAP"),
    }
    assert config.nas_secrets == {"10.0.0.1": "abc", "10.0.0.2": "def"} and config.nas_ports == {
        "10.0.0.2": 1700
    }
    assert config.rate_attributes == "wispr"
    assert load_settings({}).freeradius is None
    for bad in (
        {"AAA_BACKEND": "freeradius"},
        {"AAA_BACKEND": "freeradius", "FREERADIUS_DATABASE_URL": "sqlite:///x"},
        {
            "AAA_BACKEND": "freeradius",
            "FREERADIUS_DATABASE_URL": "postgresql://h/d",
            "FREERADIUS_STATUS_GROUPS": "x=ACTIVE:FRAUD",
        },
        {
            "AAA_BACKEND": "freeradius",
            "FREERADIUS_DATABASE_URL": "postgresql://h/d",
            "FREERADIUS_USERNAME_TEMPLATE": "user",
        },
        {"AAA_BACKEND": "radius"},
    ):
        with pytest.raises(SettingsError):
            load_settings(bad)


async def test_the_composition_root_picks_the_adapter() -> None:
    settings = load_settings(
        {"AAA_BACKEND": "freeradius", "FREERADIUS_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"}
    )
    async with open_backends(settings) as backends:
        assert isinstance(backends.aaa, FreeradiusAaa)
        assert "aaa" not in backends.clients and "aaa" in backends.guards
        down = await backends.probes["aaa"](2.0)
        assert (down.name, down.ok) == ("aaa", False) and down.detail


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_database_that_is_down_is_unavailable_in_bounded_time() -> None:
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/radius"
    aaa = FreeradiusAaa(
        FreeradiusConfig(database_url=url),
        PostgresDatabase(url, pool_size=2, connect_timeout_s=0.5, command_timeout_s=1.0),
        Guard("aaa", Policy(deadline_s=2.0)),
    )
    for call in (aaa.statuses(["SS-1"]), aaa.reactivate("SS-1", "NON_PAYMENT", idempotency_key="k")):
        with pytest.raises(Unavailable):
            await call
    await aaa.close()


async def test_a_nas_with_no_secret_is_reported_not_skipped() -> None:
    from adapters.freeradius.nas import Nas
    from adapters.freeradius.store import OpenSession
    from tests.adapters.freeradius.conftest import Calls

    calls = Calls()
    nas = Nas(FreeradiusConfig(database_url="postgresql://x/y"), calls)
    session = OpenSession("SS-1", "s", "192.0.2.1", None, None, 0, 0)
    assert await nas.apply([session], None) == "UNREACHABLE"
    assert calls.finished == [("aaa-nas", "Disconnect-Request", "unavailable")]


def test_secrets_stay_out_of_the_repr() -> None:
    config = FreeradiusConfig(
        database_url="postgresql://radius:db-pass@h/r", nas_secrets={"10.0.0.1": "nas-pass"}
    )
    assert "db-pass" not in repr(config) and "nas-pass" not in repr(config)


async def test_a_lost_request_is_sent_again_and_then_acknowledged() -> None:
    from tests.adapters.freeradius.nas import start_nas

    nas = await start_nas("127.0.0.1", "s3cret", lose=1)
    try:
        attributes = radius.request_attributes(
            "SS-1", "sess", "127.0.0.1", None, [("Mikrotik-Rate-Limit", "1M/2M")]
        )
        answer = await radius.send(
            "127.0.0.1", nas.port, radius.COA_REQUEST, attributes, "s3cret", timeout_s=0.3, retries=2
        )
        assert (answer.outcome, answer.attempts, nas.lost) == ("ACK", 2, 1)
        assert len(nas.received) == 1
        wrong = await radius.send(
            "127.0.0.1", nas.port, radius.COA_REQUEST, attributes, "not-the-secret", timeout_s=0.1, retries=1
        )
        assert wrong.outcome == "NO_ANSWER" and nas.forged == 2  # the NAS ignores what it cannot verify
    finally:
        assert nas.transport is not None
        nas.transport.close()
