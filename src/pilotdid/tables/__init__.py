"""Publication tables: the Table value, cells, labels and the en/zh text catalogue, etable and the renderers (text, Markdown, LaTeX, HTML, Word, Excel).

Tables never import estimators: they read results through small protocols such as
:class:`~pilotdid.estimation.summary.ModelSummary`.
"""
