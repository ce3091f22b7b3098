"""
A real SMTP server (aiosmtpd) on 127.0.0.1 for the e2e tests: it records every delivery attempt
and every accepted mail, answers each mail after a set latency (as a remote mail server would),
and on request refuses one mail to an address (451, try again later) or stalls one, so a test can
kill the worker that is sending it.
"""

import asyncio
import contextlib
import email
import email.policy
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from e2e.live_server import free_port


@dataclass
class Attempt:
    recipient: str
    outcome: str  # "refused", "stalled" or "accepted"


@dataclass
class RecordingHandler:
    latency: float = 0.0
    attempts: list[Attempt] = field(default_factory=list)
    accepted: list[EmailMessage] = field(default_factory=list)
    refuse_once: set[str] = field(default_factory=set)
    stall_once: dict[str, float] = field(default_factory=dict)
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.stall_once:
            # The sender waits for this answer; the test kills it meanwhile. No mail is accepted.
            seconds = self.stall_once.pop(address)
            self.attempts.append(Attempt(address, "stalled"))
            self.stalled.set()
            await asyncio.sleep(seconds)
            return "451 4.3.0 Stalled on purpose"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.latency)
        refused = self.refuse_once.intersection(envelope.rcpt_tos)
        for address in envelope.rcpt_tos:
            self.attempts.append(Attempt(address, "refused" if refused else "accepted"))
        if refused:
            self.refuse_once -= refused
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.accepted.append(message)
        return "250 Message accepted for delivery"

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.accepted if address in str(m["To"])]

    def attempts_to(self, address: str) -> list[str]:
        return [a.outcome for a in self.attempts if a.recipient == address]

    def wait_for_mail(self, address: str, count: int = 1, timeout: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.mails_to(address)) < count:
            assert time.monotonic() < deadline, f"no mail for {address} in {timeout} s: {self.attempts}"
            time.sleep(0.05)
        return self.mails_to(address)


def plain_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@contextlib.contextmanager
def smtp_server(latency: float = 0.0) -> Iterator[tuple[Controller, RecordingHandler]]:
    """An SMTP server on a free port of 127.0.0.1, stopped when the block ends."""
    handler = RecordingHandler(latency=latency)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()
