"""The program of the sandboxed child: probe one submission's exercises, report observations.

``assignment.grade.sandbox`` starts it with ``main.BOOTSTRAP`` (``python -I -c``). It

1. reads the HMAC key and the one-time pads from the secrets pipe into bytearrays, then the
   job (the limits, the reference definitions sealed with the pads) as the first line of
   the command pipe; under ``--isolation landlock`` it confines itself with Landlock;
2. sets its own resource limits (address space, file size, open files, core dumps and,
   under bwrap, processes);
3. imports NumPy and TensorFlow once (the slow part), but not the reference solutions;
4. for each exercise, forks a fresh grandchild, which
   - wipes the key, unseals the reference definitions of every *other* exercise and zeroes
     every pad in place (the graded exercise's reference cannot be recovered from it),
   - confines itself with Landlock (where the kernel has it): it writes only its own
     folder and reads nothing of the scratch space, no TCP, no signals or abstract
     sockets out of its domain,
   - builds a stand-in ``assignment.transformer`` module holding those definitions,
   - builds the learner's namespace from them, replays the notebook's harmless imports,
     executes the learner's graded cell statement by statement,
   - calls the probe of the exercise's check (built without a reference), which only records what
     the learner's code returned,
   - and sends the encoded observations back through a private pipe;
   the child kills a grandchild that runs past the per-exercise timeout, and after each
   exercise removes what it left behind (its folder, other files of the scratch space,
   stray processes, /dev/shm and System V IPC objects of the sandbox);
5. sends each result to the grader as one line, authenticated with the key.

Its modules, one step each:

* ``main``             -- the entry point (``BOOTSTRAP``, ``main``): the steps above, in order;
* ``channel``          -- the pipes: secrets and commands in, signed result lines out;
* ``process_limits``   -- resource limits, not dumpable, subreaper;
* ``landlock``         -- the Landlock system calls;
* ``sealed_reference`` -- the one-time-pad sealing of the reference (both halves) and the stand-in;
* ``supervisor``       -- the fork supervisor: grandchildren, deadlines, results in order;
* ``exercise``         -- one exercise in its grandchild (the learner's cell, the probe);
* ``cleanup``          -- what an exercise leaves behind goes.

Every module here is staged into the sandbox (``assignment/audience.py``) and imports only
the standard library and staged modules at module level: they are loaded before the limits
are set, NumPy and TensorFlow only after.
"""
