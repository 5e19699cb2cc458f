"""The autograder: grade submitted notebooks per exercise, without trusting them.

Layout (one idea per module):

* ``extract``    -- read a ``.ipynb``/``.py`` submission, find each exercise's code;
* ``given_code`` -- flag edits to the code the learner was given (``__init__``, signatures);
* ``sandbox``    -- run the learner's code in a limited child process (``runner`` is the
                    program that child runs) and bring back observations only;
* ``core``       -- grade one submission: probe in the child, judge in this process;
* ``report``     -- table, JSON, Gradescope, CSV and class summary;
* ``html_report``-- the class summary as one self-contained HTML page;
* ``autograder`` -- the Gradescope autograder archive, and what runs inside it;
* ``batch``      -- grade a folder in parallel;
* ``commands``   -- what ``python -m assignment grade`` runs.
"""
GRADER_VERSION = "1.0.0"

