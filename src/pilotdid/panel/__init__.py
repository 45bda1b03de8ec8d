"""Panel data in: loading files, checking them, assigning treatment, adoption cohorts, rosters.

``load`` (csv/xlsx/dta/parquet), ``validate`` (:func:`check_panel`: every problem at once in a
:class:`ValidationReport`), ``adoption`` (the adoption cohort of each unit, with the one
never-treated rule), ``treatment`` (treat, post, D = treat x post, relative time) and
``rosters`` (the built-in pilot-zone rosters). Layer: the lowest data layer; imports only
``errors`` and ``options``.
"""
