"""The child's pipes to the grader: the secrets it reads first, the commands it reads, the
results it sends (each line signed with an HMAC whose key learner code never holds).

Standard library only: loaded before the child sets its limits.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os


class Channel:
    """Lines of JSON to the grader, each prefixed with its HMAC."""

    def __init__(self, fd: int, key: bytearray, commands: int = -1):
        self.fd, self.key, self.commands = fd, key, commands

    def send(self, message: dict) -> None:
        body = json.dumps(message, separators=(",", ":"))
        mac = hmac.new(self.key, body.encode("utf-8"), hashlib.sha256).hexdigest()  # no bytes copy of the key
        data = f"{mac} {body}\n".encode("utf-8")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


def read_exactly_into(fd: int, buffer: bytearray) -> None:
    """Fill ``buffer`` from ``fd`` in place (no intermediate bytes objects)."""
    view = memoryview(buffer)
    while view:
        count = os.readv(fd, [view])
        if count == 0:
            raise EOFError("the grader closed the secrets pipe early")
        view = view[count:]


def read_secrets(fd: int):
    """(key, pads): the HMAC key and the one-time pads of the reference definitions, read
    into bytearrays so that they can be wiped in place."""
    header = bytearray(8)
    read_exactly_into(fd, header)
    key, pads = bytearray(int.from_bytes(header[:4], "big")), bytearray(int.from_bytes(header[4:], "big"))
    read_exactly_into(fd, key)
    read_exactly_into(fd, pads)
    os.close(fd)
    return key, pads


def read_commands(fd: int):
    """Commands from the grader, one JSON object per line, until EOF."""
    buffer = b""
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield json.loads(line.decode("utf-8"))
