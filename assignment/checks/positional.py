"""Checks of exercises 1 and 2: ``get_angles`` and ``positional_encoding``.

What the course's public tests compare (``get_angles_test`` and ``positional_encoding_test``
of the course's ``public_tests.py``, as published in public learner repositories; the 2021
release had the same two tests inline in the notebook):

* ``get_angles_test``: get_angles on a column of 4 positions, a row of 16 dimensions and
  d = 16: a numpy ndarray of shape (4, 16); ``np.sum(result[0, :]) == 0``; the sum of
  column 0 isclose to 6; even columns exactly equal to odd ones; ``result[3, 15]``
  isclose to 3 / 10000 ** (14 / 16). Nothing else of the values.
* ``positional_encoding_test``: positional_encoding(8, 16): a tensor of shape (1, 8, 16);
  sin^2 + cos^2 allclose to 1 on each (2i, 2i+1) pair; the angles recovered from each
  pair allclose to get_angles' (modulo 2 pi). No dtype, no other values.

Course scenarios repeat those comparisons (against the reference's outputs) on other
values: other positions in the column for get_angles; other int sizes for
positional_encoding, whose arguments are two ints. The rest is beyond the course: the
full values, other shapes, an odd d, a single position.
"""
import numpy as np

from assignment.checks.judging import (FILL_IN_HINT, CheckFailed, array_of, close, course_close, diagnose,
                                       named_mistake, value_of)
from assignment.checks.protocol import BEYOND, COURSE, PUBLIC, Check, Group, register


def angle_inputs(positions, d):
    """The course's way of calling get_angles: a column of positions, a row of dimensions.
    ``positions`` is a count (0..positions-1) or the column's values."""
    column = np.arange(positions) if np.isscalar(positions) else np.asarray(positions)
    return column[:, np.newaxis], np.arange(d)[np.newaxis, :], d


@register
class GetAngles(Check):
    name = "get_angles"
    # key: (positions: a count or the column's values, d)
    CASES = {"public": (4, 16), "same_shapes": ((3, 1, 0, 6), 16), "other_size": (7, 10), "one_position": (1, 6)}
    groups = (
        Group("public", PUBLIC, "4 positions and d = 16", mistakes_on=("public",)),
        Group("same_shapes", COURSE, "a column of 4 other positions (3, 1, 0, 6) and d = 16",
              mistakes_on=("same_shapes",)),
        Group("public_values", BEYOND, "every value on the public inputs (4 positions, d = 16; the course's test "
                                       "checks row 0, column 0, the pairs and element [3, 15] only)",
              mistakes_on=("public",), shown=True),
        Group("other_size", BEYOND, "7 positions and d = 10", mistakes_on=("other_size",)),
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

    def _course(self, key, got, expected):
        """The course's comparisons, on the reference's values of the same outputs."""
        positions, d = self.CASES[key]
        what = f"get_angles(pos, k, {d})"
        want = array_of(expected[key], what)
        angles = array_of(got[key], what, tensor=False)
        if tuple(angles.shape) != tuple(want.shape):
            raise CheckFailed(f"{what} has shape {tuple(angles.shape)}; expected {tuple(want.shape)}.")
        fallback = "Compute pos / 10000 ** (2 * (k // 2) / d) by broadcasting the column pos against the row k."
        facts = [
            (np.sum(angles[0]) == np.sum(want[0]) if key == "public" else np.isclose(np.sum(angles[0]), np.sum(want[0])),
             "Row 0 (position 0) must be all zeros: every angle is pos times something." if key == "public" else
             f"The sum of row 0 (position {angle_inputs(positions, d)[0][0, 0]}) is {np.sum(angles[0]):.6g}; "
             f"expected {np.sum(want[0]):.6g}."),
            (np.isclose(np.sum(angles[:, 0]), np.sum(want[:, 0])),
             f"Column 0 must hold the positions (sum {np.sum(want[:, 0]):.6g}); got {np.sum(angles[:, 0]):.6g}."),
            (np.all(angles[:, 0::2] == angles[:, 1::2]),
             "Even and odd columns must be equal: dimensions 2i and 2i+1 share one angle, so use i = k // 2."),
            (np.isclose(angles[-1, -1], want[-1, -1]),
             f"The last element [{want.shape[0] - 1}, {d - 1}] must be {want[-1, -1]:.6g}; got {angles[-1, -1]:.6g}."),
        ]
        for holds, message in facts:
            if not holds:
                hint = named_mistake(angles, self.known_mistakes(key))
                raise CheckFailed(hint or f"{message} {fallback}")

    def _compare(self, key, got, expected):
        positions, d = self.CASES[key]
        what = f"get_angles(pos, k, {d}) for {positions} positions"
        want = array_of(expected[key], what)
        angles = array_of(got[key], what, shape=want.shape, tensor=False)
        diagnose(what, angles, want, self.known_mistakes(key),
                 "Compute pos / 10000 ** (2 * (k // 2) / d) by broadcasting the column pos against the row k.")

    def compare_public(self, got, expected):
        self._course("public", got, expected)

    def compare_same_shapes(self, got, expected):
        self._course("same_shapes", got, expected)

    def compare_public_values(self, got, expected):
        self._compare("public", got, expected)

    def compare_other_size(self, got, expected):
        self._compare("other_size", got, expected)

    def compare_one_position(self, got, expected):
        self._compare("one_position", got, expected)


def _recovered(encoding):
    """The angle of each (sin, cos) pair of columns, in [0, 2 pi)."""
    sines, cosines = np.asarray(encoding[0, :, 0::2], np.float64), np.asarray(encoding[0, :, 1::2], np.float64)
    return np.arctan2(sines, cosines) % (2 * np.pi)


def _same_angles(got, want, atol=1e-8, rtol=1e-5):
    """The course's allclose on angles modulo 2 pi (a difference of 2 pi counts as none)."""
    difference = np.abs(np.angle(np.exp(1j * (np.asarray(got, np.float64) - want))))
    return bool(np.all(difference <= atol + rtol * np.abs(np.asarray(want) % (2 * np.pi))))


@register
class PositionalEncoding(Check):
    name = "positional_encoding"
    CASES = {"public": (8, 16), "other_ints": (6, 12), "long": (50, 10), "odd_d": (5, 7), "one_position": (1, 4)}
    groups = (
        Group("public", PUBLIC, "positional_encoding(8, 16)", mistakes_on=("public",)),
        Group("other_ints", COURSE, "other int arguments: positional_encoding(6, 12)", mistakes_on=("other_ints",)),
        Group("public_values", BEYOND, "every value and the dtype of positional_encoding(8, 16) (the course's "
                                       "test checks sin^2 + cos^2 and the angles only)",
              mistakes_on=("public",), shown=True),
        Group("long", BEYOND, "positional_encoding(50, 10)", mistakes_on=("long",)),
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

    def _course(self, key, got, expected, angles=None):
        """The course's comparisons: a tensor of shape (1, positions, d), sin^2 + cos^2 = 1,
        the angles recovered from each pair equal to get_angles' (``angles``; else the
        ones recovered from the reference's encoding)."""
        positions, d = self.CASES[key]
        what = f"positional_encoding({positions}, {d})"
        want = array_of(expected[key], what)
        record = got[key]
        value = value_of(record, what)
        if record.get("kind") == "array" and tuple(value.shape) == (positions, d):
            raise CheckFailed(f"{what} has shape {(positions, d)}; add the batch axis in front: "
                              f"(1, {positions}, {d}), e.g. angle_rads[np.newaxis, ...].")
        encoding = array_of(record, what, shape=want.shape, tensor=True)
        sines, cosines = encoding[0, :, 0::2], encoding[0, :, 1::2]
        if not course_close(sines ** 2 + cosines ** 2, 1):
            raise CheckFailed(named_mistake(encoding, self.known_mistakes(key)) or
                              "sin^2 + cos^2 must be 1 for each (2i, 2i+1) pair of columns.")
        true = _recovered(want) if angles is None else angles
        if not _same_angles(_recovered(encoding), true):
            raise CheckFailed(named_mistake(encoding, self.known_mistakes(key)) or
                              "The angles recovered from each (sin, cos) pair differ from get_angles: sin goes in "
                              "the even columns, cos in the odd ones, of the angles from get_angles.")
        return encoding

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
        angles = self.auxiliary("public_angles")
        if "get_angles" in got and "get_angles" in expected:
            record = got["get_angles"]
            if record.get("kind") in ("none", "error"):
                raise CheckFailed("positional_encoding relies on get_angles, which is not filled in yet "
                                  f"(it {'returned None' if record['kind'] == 'none' else 'raised an error'}). "
                                  f"{FILL_IN_HINT} Start with get_angles (exercise 1).",
                                  raised=record["kind"] == "error")
            if record.get("kind") == "array" and np.shape(record.get("array")) == (8, 16):
                angles = record["array"][:, 0::2]  # like the course's test: the learner's own get_angles
        self._course("public", got, expected, np.asarray(angles, np.float64) % (2 * np.pi))

    def compare_other_ints(self, got, expected):
        self._course("other_ints", got, expected)

    def compare_public_values(self, got, expected):
        if "get_angles" in got and "get_angles" in expected:
            record = got["get_angles"]
            if record.get("kind") != "array" or not close(record.get("array"), expected["get_angles"]["array"]):
                raise CheckFailed("positional_encoding relies on get_angles, which does not pass its own test "
                                  "yet: fix get_angles (exercise 1) first.")
        self._compare("public", got, expected)

    def compare_long(self, got, expected):
        self._compare("long", got, expected)

    def compare_odd_d(self, got, expected):
        self._compare("odd_d", got, expected)

    def compare_one_position(self, got, expected):
        self._compare("one_position", got, expected)
