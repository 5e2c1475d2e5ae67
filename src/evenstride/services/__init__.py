# SPDX-License-Identifier: MIT
"""Typed operations over an open store, by athlete id: what the command line and the web app
both do.

Each module takes a store the caller opened (once per operation) and plain Python values or
small dataclasses, and returns typed results; nothing here parses arguments, prints, exits or
renders HTML.

- :mod:`~evenstride.services.athletes`: find or create an athlete, the athlete list.
- :mod:`~evenstride.services.history`: the athlete's history (cached), "is this normal for me?".
- :mod:`~evenstride.services.inputs`: shoes, session RPE, resting HRV, the list of stored runs.
- :mod:`~evenstride.services.clinical`: profile, tests, symptoms, the integrated assessment.
- :mod:`~evenstride.services.plan`: prescribe a program, log sessions, retest.
- :mod:`~evenstride.services.errors`: :class:`~evenstride.services.errors.InputError`, whose
  message names inputs so that each adapter can say them its own way (``--start``, "start").

Importing the package imports none of them.
"""
