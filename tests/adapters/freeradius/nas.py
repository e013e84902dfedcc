"""A NAS's Dynamic Authorization server (RFC 5176) on loopback, for the tests: it decodes every CoA- or
Disconnect-Request with pyrad (an implementation that is not ours), checks its Request Authenticator and
Message-Authenticator with the shared secret, records it, and answers ACK (a retransmission gets the same answer
and is not recorded twice) — or, as a dead NAS, records every datagram and never answers."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field
from typing import Any

from pyrad.dictionary import Dictionary
from pyrad.packet import CoAPacket

DICTIONARY = """
ATTRIBUTE User-Name 1 string
ATTRIBUTE NAS-IP-Address 4 ipaddr
ATTRIBUTE Framed-IP-Address 8 ipaddr
ATTRIBUTE Acct-Session-Id 44 string
ATTRIBUTE Message-Authenticator 80 octets
ATTRIBUTE Error-Cause 101 integer
VENDOR Mikrotik 14988
BEGIN-VENDOR Mikrotik
ATTRIBUTE Mikrotik-Rate-Limit 8 string
END-VENDOR Mikrotik
VENDOR WISPr 14122
BEGIN-VENDOR WISPr
ATTRIBUTE WISPr-Bandwidth-Max-Up 7 integer
ATTRIBUTE WISPr-Bandwidth-Max-Down 8 integer
END-VENDOR WISPr
"""


@dataclass
class Received:
    code: int
    attributes: dict[str, list[Any]]
    raw: bytes


@dataclass
class NasEmulator(asyncio.DatagramProtocol):
    secret: bytes
    answer: bool = True  # False: a dead NAS (counts what it is sent, answers nothing)
    received: list[Received] = field(default_factory=list)
    forged: int = 0  # datagrams whose authenticators did not verify
    retransmissions: int = 0  # requests received again after they were answered
    lose: int = 0  # the first `lose` datagrams are lost on the way (counted in `lost`, not seen)
    lost: int = 0
    replies: dict[bytes, bytes] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    transport: asyncio.DatagramTransport | None = None
    port: int = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram endpoint's transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.lost < self.lose:
            self.lost += 1
            return
        packet = CoAPacket(secret=self.secret, dict=Dictionary(io.StringIO(DICTIONARY)), packet=data)
        if not packet.VerifyCoARequest() or not packet.verify_message_authenticator():
            self.forged += 1
            return
        if self.answer and data in self.replies:
            # A retransmission (our answer was slow or lost): answered again, applied once, as a NAS does.
            self.retransmissions += 1
            self._send(self.replies[data], addr)
            return
        attributes = {key: packet[key] for key in packet.keys() if isinstance(key, str)}  # noqa: SIM118 (pyrad decodes names in keys())
        self.received.append(Received(packet.code, attributes, data))
        self.arrived.set()
        if self.answer:
            self.replies[data] = packet.CreateReply().ReplyPacket()
            self._send(self.replies[data], addr)

    def _send(self, reply: bytes, addr: tuple[str, int]) -> None:
        if self.transport is not None:
            self.transport.sendto(reply, addr)

    async def wait_for(self, count: int) -> list[Received]:
        async with asyncio.timeout(10):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.received


async def start_nas(host: str, secret: str, *, answer: bool = True, lose: int = 0) -> NasEmulator:
    loop = asyncio.get_running_loop()
    nas = NasEmulator(secret.encode(), answer, lose=lose)
    transport, _ = await loop.create_datagram_endpoint(lambda: nas, local_addr=(host, 0))
    nas.port = transport.get_extra_info("sockname")[1]
    return nas
