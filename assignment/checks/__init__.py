"""The checks behind the public tests and the grader, one per graded exercise.

Modules:

* ``protocol``   -- the Check base class, the Reference interface, CheckFailed, the
                    judging helpers, ALL_TESTS_PASSED, make_check and public_test;
* ``inputs``, ``layers`` -- scenario inputs and comparisons shared by the checks;
* ``positional`` (get_angles, positional_encoding), ``attention``, ``encoder``
  (EncoderLayer, Encoder), ``decoder`` (DecoderLayer, Decoder), ``transformer_model``
  (Transformer) -- the exercise checks: scenarios, hints, comparisons; no solution code;
* ``known_mistakes`` -- the known mistakes' outputs, computed from the reference
                    (instructor only: it re-implements the solutions);
* ``live``       -- LiveReference (values computed from the reference module) and record;
* ``recorded``   -- RecordedReference (values replayed from recorded data).

Only ``protocol`` is imported here, so importing the package loads neither TensorFlow
nor any reference code.
"""
from assignment.checks.protocol import (ALL_TESTS_PASSED, BEYOND, COURSE, POLICIES, PUBLIC, Advice,  # noqa: F401
                                        Check, CheckFailed, Group, Reference, Verdict, check_class, make_check,
                                        public_test, test_function)
