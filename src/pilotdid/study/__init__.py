"""The main job: a study file in, every result of the paper out.

``config`` (the pydantic schema of the TOML study file, with ``config_checks`` and
``config_messages``), ``prepare`` (load the panel, apply filters, check it against the study
file, assign treatment), ``stages``/``mechanisms`` (one function per stage of the paper),
``pipeline`` (:func:`run_study` -> :class:`StudyResult`), ``figures`` and ``truth`` (the demo's
known effects). Layer: the top library layer; only ``cli.py`` is above it.
"""
