"""The autograder: grade submitted notebooks per exercise, without trusting them.

Layout (one idea per module):

* ``extract``          -- read a ``.ipynb``/``.py`` submission, find each exercise's code;
* ``given_code``       -- flag edits to the code the learner was given (``__init__``, signatures);
* ``course_edition``   -- which release of the notebook a submission is (its mask convention);
* ``sandbox``          -- run the learner's code in a confined child process and bring back
                          observations only: the limits, the reference, the session;
* ``child_process``    -- the grader's handle on one such child: start it, talk to it, clean it away;
* ``isolation``        -- what the child may see and how it is confined (bubblewrap, Landlock);
* ``child/``           -- the program the sandboxed child runs (its ``main`` is the entry point;
                          ``channel``, ``process_limits``, ``landlock``, ``sealed_reference``,
                          ``supervisor``, ``exercise``, ``cleanup``);
* ``core``             -- grade one submission: probe in the child, judge in this process;
* ``report``           -- table, JSON, Gradescope, CSV and class summary;
* ``html_report``      -- the class summary as one self-contained HTML page;
* ``similarity``       -- submissions whose graded code is too alike;
* ``autograder``       -- the Gradescope autograder archive, and what runs inside it;
* ``intake``           -- the submissions of a platform's export (folder or archive), whose each is;
* ``platform_layouts`` -- the export layouts (Gradescope, nbgrader, Moodle, Canvas, ...) and students;
* ``submission_tree``  -- the folders and files of an export, read without following a link;
* ``archive``          -- unpack an uploaded archive safely;
* ``batch``            -- grade a folder in a local process pool, resumably;
* ``distributed``      -- the same on a Dask cluster;
* ``worker``           -- the set-up of a process that grades for a batch (pool or Dask worker);
* ``version_key``      -- what a stored result depends on (the resume cache, the workers' check);
* ``commands``         -- what ``python -m assignment grade`` runs.
"""
GRADER_VERSION = "1.0.0"
