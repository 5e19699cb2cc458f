"""The reference definitions in transit: sealed by the grader with one-time pads, unsealed in
each exercise's process without the graded one, and turned into a stand-in module.

The grader (``assignment.grade.sandbox``) calls ``seal`` on the definitions it read; the
child gets the ciphertexts in the job and the pads over the secrets pipe, and keeps them
apart; ``unseal`` in an exercise's process recovers every definition but that exercise's
and zeroes every pad in place. Both halves of the format are here.
"""
from __future__ import annotations

import secrets
import types


def seal(definitions) -> tuple:
    """(sealed definitions [name, offset, ciphertext hex], pads): each definition XOR-ed
    with its own slice of a one-time random pad. The child keeps ciphertexts and pads
    apart and wipes the pads in each exercise's process (``unseal``)."""
    blobs = [source.encode("utf-8") for _, source in definitions]
    pads = secrets.token_bytes(sum(len(blob) for blob in blobs))
    sealed, offset = [], 0
    for (name, _), blob in zip(definitions, blobs):
        pad = int.from_bytes(pads[offset:offset + len(blob)], "big")
        sealed.append([name, offset, (int.from_bytes(blob, "big") ^ pad).to_bytes(len(blob), "big").hex()])
        offset += len(blob)
    return sealed, pads


def reference_sealed(reference: dict):
    """The job's reference part, ciphertexts decoded once: (imports, [(name, offset, cipher)])."""
    return (list(reference["imports"]),
            [(name, int(offset), bytes.fromhex(cipher)) for name, offset, cipher in reference["definitions"]])


def unseal(sealed, pads: bytearray, exclude: str):
    """(imports, definitions) of every reference definition except ``exclude``; then every
    pad is zeroed in place, so the graded exercise's definition can no longer be recovered
    from this process's memory."""
    imports, definitions = sealed
    plain = []
    for name, offset, cipher in definitions:
        if name == exclude:
            continue
        pad = int.from_bytes(pads[offset:offset + len(cipher)], "big")
        text = (int.from_bytes(cipher, "big") ^ pad).to_bytes(len(cipher), "big").decode("utf-8")
        plain.append((name, text))
    memoryview(pads)[:] = bytes(len(pads))
    return [imports, plain]


def build_stand_in(module_name: str, imports, definitions, exclude: str) -> types.ModuleType:
    """A module with every reference definition except ``exclude``."""
    module = types.ModuleType(module_name, "Reference solutions (without the exercise being graded).")
    module.__spec__ = None
    for statement in imports:
        exec(compile(statement, "<reference>", "exec"), module.__dict__)
    for name, source in definitions:
        if name != exclude:
            exec(compile(source, "<reference>", "exec"), module.__dict__)
    return module
