"""The study report: readings in words, the self-contained HTML page, writing the output folder.

``readings``/``narrative`` turn result numbers into sentences, ``render_report`` builds
report.html, ``study_tables`` lays out the study-level tables (drops, true effects) and
``build`` writes tables, figures and the page atomically. The report reads a study's results
through the :class:`~pilotdid.report.source.StudyOutputs` protocol, so it never imports the
study pipeline that calls it. Layer: above the estimator families and ``tables/``, below
``study/``.
"""
