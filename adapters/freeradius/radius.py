"""RFC 5176 Dynamic Authorization, client side: CoA-Request and Disconnect-Request packets (RFC 2865 layout,
Request Authenticator as RFC 2866 computes it, Message-Authenticator as RFC 3579 / 5176 §3.5 do), sent over
UDP with bounded retransmission, and the NAS's answer checked against the shared secret.

Only what the adapter sends is encoded: a handful of standard attributes and two vendors' rate attributes,
so no dictionary file is needed at run time.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DISCONNECT_REQUEST, DISCONNECT_ACK, DISCONNECT_NAK = 40, 41, 42
COA_REQUEST, COA_ACK, COA_NAK = 43, 44, 45
ACKS = {DISCONNECT_REQUEST: DISCONNECT_ACK, COA_REQUEST: COA_ACK}
NAKS = {DISCONNECT_REQUEST: DISCONNECT_NAK, COA_REQUEST: COA_NAK}

USER_NAME, NAS_IP_ADDRESS, FRAMED_IP_ADDRESS, VENDOR_SPECIFIC = 1, 4, 8, 26
ACCT_SESSION_ID, MESSAGE_AUTHENTICATOR, ERROR_CAUSE = 44, 80, 101

# (vendor id, vendor type, is an integer) of the vendor attributes the adapter writes.
VENDOR_ATTRIBUTES = {
    "Mikrotik-Rate-Limit": (14988, 8, False),
    "WISPr-Bandwidth-Max-Up": (14122, 7, True),
    "WISPr-Bandwidth-Max-Down": (14122, 8, True),
}

Outcome = Literal["ACK", "NAK", "NO_ANSWER"]


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    attempts: int  # datagrams sent
    error_cause: int | None = None  # the NAK's Error-Cause (RFC 5176 §3.6), when it gave one


def _attribute(kind: int, value: bytes) -> bytes:
    if len(value) > 253:
        raise ValueError(f"RADIUS attribute {kind} is longer than 253 octets")
    return struct.pack("!BB", kind, len(value) + 2) + value


def vendor_attribute(name: str, value: str) -> bytes:
    vendor, kind, integer = VENDOR_ATTRIBUTES[name]
    data = struct.pack("!I", int(value)) if integer else value.encode()
    inner = struct.pack("!BB", kind, len(data) + 2) + data
    return _attribute(VENDOR_SPECIFIC, struct.pack("!I", vendor) + inner)


def request_attributes(
    username: str,
    session_id: str | None,
    nas_ip: str | None,
    framed_ip: str | None,
    extra: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The attributes that identify the session (RFC 5176 §3: User-Name and Acct-Session-Id, plus the NAS's
    and the subscriber's addresses when known), then the vendor attributes to apply."""
    out = [_attribute(USER_NAME, username.encode())]
    if session_id:
        out.append(_attribute(ACCT_SESSION_ID, session_id.encode()))
    for kind, address in ((NAS_IP_ADDRESS, nas_ip), (FRAMED_IP_ADDRESS, framed_ip)):
        if address:
            ip = ipaddress.ip_address(address)
            if ip.version == 4:
                out.append(_attribute(kind, ip.packed))
    out.extend(vendor_attribute(name, value) for name, value in extra)
    return b"".join(out)


def encode_request(code: int, identifier: int, attributes: bytes, secret: bytes) -> bytes:
    """A signed request: Message-Authenticator (HMAC-MD5 over the packet with a zero authenticator), then
    the Request Authenticator MD5(code, id, length, 16 zeros, attributes, secret)."""
    zeros = bytes(16)
    body = attributes + _attribute(MESSAGE_AUTHENTICATOR, zeros)
    length = 20 + len(body)
    header = struct.pack("!BBH", code, identifier, length)
    signature = hmac.new(secret, header + zeros + body, hashlib.md5).digest()
    body = attributes + _attribute(MESSAGE_AUTHENTICATOR, signature)
    authenticator = hashlib.md5(header + zeros + body + secret).digest()  # noqa: S324 (RFC 2866 requires MD5)
    return header + authenticator + body


def check_reply(reply: bytes, request: bytes, secret: bytes) -> int | None:
    """The reply's code when it answers `request` and its Response Authenticator is right, else None."""
    if len(reply) < 20:
        return None
    code, identifier, length = struct.unpack("!BBH", reply[:4])
    if identifier != request[1] or length > len(reply) or length < 20:
        return None
    expected = hashlib.md5(reply[:4] + request[4:20] + reply[20:length] + secret).digest()  # noqa: S324
    return code if hmac.compare_digest(expected, reply[4:20]) else None


def error_cause(reply: bytes) -> int | None:
    at, length = 20, struct.unpack("!H", reply[2:4])[0]
    while at + 2 <= length:
        kind, size = reply[at], reply[at + 1]
        if size < 2:
            return None
        if kind == ERROR_CAUSE and size == 6:
            return int(struct.unpack("!I", reply[at + 2 : at + 6])[0])
        at += size
    return None


class _Exchange(asyncio.DatagramProtocol):
    def __init__(self, request: bytes, secret: bytes) -> None:
        self.request = request
        self.secret = secret
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        # Anything that is not the signed answer to this request (a stray or forged datagram) is ignored.
        if not self.answer.done() and check_reply(data, self.request, self.secret) is not None:
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        return None  # ICMP port unreachable and the like: the next attempt, or no answer, will tell


async def send(
    host: str,
    port: int,
    code: int,
    attributes: bytes,
    secret: str,
    *,
    timeout_s: float,
    retries: int,
) -> Answer:
    """Send a CoA- or Disconnect-Request and wait for its answer, retransmitting the same packet (same
    identifier and authenticator, as RFC 5080 §2.2.1 asks) up to `retries` times. Never raises for the
    NAS's silence: the caller reports it."""
    key = secret.encode()
    packet = encode_request(code, os.urandom(1)[0], attributes, key)
    loop = asyncio.get_running_loop()
    try:
        transport, exchange = await loop.create_datagram_endpoint(
            lambda: _Exchange(packet, key), remote_addr=(host, port)
        )
    except OSError:
        return Answer("NO_ANSWER", 0)
    attempts = 0
    try:
        for _ in range(retries + 1):
            transport.sendto(packet)
            attempts += 1
            try:
                reply = await asyncio.wait_for(asyncio.shield(exchange.answer), timeout_s)
            except TimeoutError:
                continue
            if reply[0] == ACKS[code]:
                return Answer("ACK", attempts)
            return Answer("NAK", attempts, error_cause(reply))
        return Answer("NO_ANSWER", attempts)
    finally:
        transport.close()
