"""Checks of exercises 1 and 2: ``get_angles`` and ``positional_encoding``.

The course's tests call get_angles on a column of 4 positions and a row of 16
dimensions, and positional_encoding(8, 16): numpy integer inputs, an even d.
"""
import numpy as np

from assignment.checks.protocol import (BEYOND, COURSE, FILL_IN_HINT, PUBLIC, Check, CheckFailed, Group, array_of,
                                        close, diagnose, register, value_of)


def angle_inputs(positions, d):
    """The course's way of calling get_angles: a column of positions, a row of dimensions."""
    return np.arange(positions)[:, np.newaxis], np.arange(d)[np.newaxis, :], d


@register
class GetAngles(Check):
    name = "get_angles"
    CASES = {"public": (4, 16), "other_size": (7, 10), "one_position": (1, 6)}  # key: (positions, d)
    groups = (
        Group("public", PUBLIC, "4 positions and d = 16", mistakes_on=("public",)),
        Group("other_size", COURSE, "7 positions and d = 10", mistakes_on=("other_size",)),
        Group("one_position", BEYOND, "a single position (pos of shape (1, 1)) and d = 6",
              mistakes_on=("one_position",)),
    )
    hints = {
        "i_is_k": "Use i = k // 2 (integer division): dimensions 2i and 2i+1 share one frequency. "
                  "With i = k every column gets its own frequency.",
        "exponent_i_over_d": "The exponent of 10000 is 2i/d, not i/d (with i = k // 2).",
        "exponent_k_over_d": "The exponent of 10000 is 2i/d with i = k // 2, not k/d.",
        "multiplied": "Divide pos by 10000^(2i/d); do not multiply.",
        "integer_division": "2i/d must be a true division (/), not an integer division (//).",
    }

    def scenarios(self, target, extras):
        for key, (positions, d) in self.CASES.items():
            yield key, key, (lambda p=positions, d=d: target(*angle_inputs(p, d)))

    def _compare(self, key, got, expected):
        positions, d = self.CASES[key]
        what = f"get_angles(pos, k, {d}) for {positions} positions"
        want = array_of(expected[key], what)
        angles = array_of(got[key], what, shape=want.shape, tensor=False)
        if key == "public":  # the course's published facts, each with its own hint
            if not np.all(angles[0] == 0):
                raise CheckFailed("Row 0 (position 0) must be all zeros: every angle is pos times something.")
            if not np.allclose(angles[:, 0::2], angles[:, 1::2]):
                raise CheckFailed("Even and odd columns must be equal: dimensions 2i and 2i+1 share one "
                                  "angle, so use i = k // 2.")
        diagnose(what, angles, want, self.known_mistakes(key),
                 "Compute pos / 10000 ** (2 * (k // 2) / d) by broadcasting the column pos against the row k.")
        if key == "public":
            if not np.isclose(angles[:, 0].sum(), 6) or not np.isclose(angles[3, 15], 3 / 10000 ** (14 / 16)):
                raise CheckFailed("Column 0 must hold the positions 0..3 (sum 6) and element [3, 15] must "
                                  "be 3 / 10000 ** (14 / 16).")

    def compare_public(self, got, expected):
        self._compare("public", got, expected)

    def compare_other_size(self, got, expected):
        self._compare("other_size", got, expected)

    def compare_one_position(self, got, expected):
        self._compare("one_position", got, expected)


@register
class PositionalEncoding(Check):
    name = "positional_encoding"
    CASES = {"public": (8, 16), "long": (50, 10), "odd_d": (5, 7), "one_position": (1, 4)}
    groups = (
        Group("public", PUBLIC, "positional_encoding(8, 16)", mistakes_on=("public",)),
        Group("long", COURSE, "positional_encoding(50, 10)", mistakes_on=("long",)),
        Group("odd_d", BEYOND, "an odd d: positional_encoding(5, 7)", mistakes_on=("odd_d",)),
        Group("one_position", BEYOND, "a single position: positional_encoding(1, 4)",
              mistakes_on=("one_position",)),
    )
    hints = {
        "swapped": "sin and cos are swapped: sin goes in the even columns (2i), cos in the odd ones (2i+1).",
        "sin_only": "Apply sin to the even columns and cos to the odd columns; here sin is used everywhere.",
        "cos_only": "Apply sin to the even columns and cos to the odd columns; here cos is used everywhere.",
        "no_sin_cos": "The angles were not passed through sin and cos.",
    }
    auxiliaries = ("public_angles",)  # get_angles on the public case, for the course's published facts

    def scenarios(self, target, extras):
        if extras:  # the learner's get_angles, which their positional_encoding relies on
            yield "public", "get_angles", lambda: extras[0](*angle_inputs(8, 16))
        for key, (positions, d) in self.CASES.items():
            yield key, key, (lambda p=positions, d=d: target(p, d))

    def _compare(self, key, got, expected):
        positions, d = self.CASES[key]
        what = f"positional_encoding({positions}, {d})"
        want = array_of(expected[key], what)
        record = got[key]
        value = value_of(record, what)
        if record.get("kind") == "array" and tuple(value.shape) == (positions, d):
            raise CheckFailed(f"{what} has shape {(positions, d)}; add the batch axis in front: "
                              f"(1, {positions}, {d}), e.g. angle_rads[np.newaxis, ...].")
        encoding = array_of(record, what, shape=want.shape, tensor=True, dtype="float32")
        diagnose(what, encoding, want, self.known_mistakes(key),
                 "Even columns hold sin(angle), odd columns cos(angle), angles from get_angles.")
        return encoding

    def compare_public(self, got, expected):
        if "get_angles" in got and "get_angles" in expected:
            record = got["get_angles"]
            if record.get("kind") in ("none", "error"):
                raise CheckFailed("positional_encoding relies on get_angles, which is not filled in yet "
                                  f"(it {'returned None' if record['kind'] == 'none' else 'raised an error'}). "
                                  f"{FILL_IN_HINT} Start with get_angles (exercise 1).",
                                  raised=record["kind"] == "error")
            if record.get("kind") != "array" or not close(record.get("array"), expected["get_angles"]["array"]):
                raise CheckFailed("positional_encoding relies on get_angles, which does not pass its own test "
                                  "yet: fix get_angles (exercise 1) first.")
        encoding = self._compare("public", got, expected)
        # The course's facts: sin^2 + cos^2 = 1 on each pair, and the angles are recoverable.
        sines, cosines = encoding[0, :, 0::2], encoding[0, :, 1::2]
        if not np.allclose(sines ** 2 + cosines ** 2, 1, atol=1e-5):
            raise CheckFailed("sin^2 + cos^2 must be 1 for each (2i, 2i+1) pair of columns.")
        recovered = np.arctan2(sines, cosines)
        if not np.allclose(np.angle(np.exp(1j * (recovered - self.auxiliary("public_angles")))), 0, atol=1e-4):
            raise CheckFailed("The angles recovered from each (sin, cos) pair differ from get_angles.")

    def compare_long(self, got, expected):
        self._compare("long", got, expected)

    def compare_odd_d(self, got, expected):
        self._compare("odd_d", got, expected)

    def compare_one_position(self, got, expected):
        self._compare("one_position", got, expected)

