"""The checks behind the public tests and the grader, one per graded exercise.

Modules:

* ``protocol``   -- the Check base class, the Reference interface, the groups, verdicts
                    and policies, ALL_TESTS_PASSED and make_check;
* ``judging``    -- CheckFailed and the helpers every judge uses (read an observation,
                    compare as the course does, name the likely mistake);
* ``public``     -- the public tests built from the checks (public_test, test_function,
                    lazy_public_test: built on the first call);
* ``inputs``, ``comparisons`` -- scenario inputs and comparisons shared by the checks;
* ``positional`` (get_angles, positional_encoding), ``attention``, ``encoder``
  (EncoderLayer, Encoder), ``decoder`` (DecoderLayer, Decoder), ``transformer_model``
  (Transformer) -- the exercise checks: scenarios, hints, comparisons; no solution code;
* ``known_mistakes`` -- the known mistakes' outputs, computed from the reference
                    (instructor only: it re-implements the solutions); the reference
                    is ``assignment.transformer`` or, for a 2021 notebook,
                    ``assignment.transformer_2021`` (instructor only too);
* ``live``       -- LiveReference (values computed from the reference module) and record;
* ``recorded``   -- RecordedReference (values replayed from recorded data).

How to ...

* add a scenario: yield ``(group id, key, thunk)`` from the check's ``scenarios`` and
  compare ``got[key]`` with ``expected[key]`` in ``compare_<group id>``; a new group is a
  ``Group(id, tag, about)`` in the check's ``groups`` (``about`` names the shapes fed);
  tag it ``COURSE`` only if it feeds inputs of the public test's shapes (other values,
  seeds, masks) and compares exactly what the course's public test compares (the same
  outputs, the same tolerances: see the exercise module's docstring); anything else is
  ``BEYOND`` (advice under the course policy; ``shown=True`` also in the public test);
* add a known mistake: a hint under a new id in the exercise module's ``hints`` (order =
  priority), and its output under the same id in the provider of ``known_mistakes``
  (``PROVIDERS[name](live, check, scenario)``); a public scenario it applies to must be in
  its group's ``mistakes_on`` (so ``live.record`` records it for a student release);
* build a check: ``make_check(exercise, reference)`` with a registry ``Exercise`` and a
  ``Reference`` (``LiveReference(module)``, ``RecordedReference(data)``), or no reference
  to probe only (the sandbox).

Only ``protocol``, ``judging`` and ``public`` are imported here, so importing the package loads neither
TensorFlow nor any reference code.
"""
from assignment.checks.judging import CheckFailed  # noqa: F401
from assignment.checks.protocol import (ALL_TESTS_PASSED, BEYOND, COURSE, POLICIES, PUBLIC, Advice,  # noqa: F401
                                        Check, Group, Reference, Verdict, check_class, make_check)
from assignment.checks.public import lazy_public_test, public_test, test_function  # noqa: F401
