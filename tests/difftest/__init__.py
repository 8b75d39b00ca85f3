"""Helpers of the seeded differential test (``tests/test_differential.py``).

- :mod:`.reference`: reads the simulator's records over its REST API (urllib, no driver code)
  and decodes them with an independent implementation of the README's type mapping into
  Python's own ``sqlite3``.
- :mod:`.binding`: what a Python parameter is bound as, written from the driver's documented
  rules (``_convert.py``'s docstring), and SQL literals.
- :mod:`.sqlast`: a small SQL syntax tree that renders to SQL text plus parameters and knows how
  to make itself smaller (for the minimiser).
- :mod:`.gen`: the seeded random statement generator.
- :mod:`.runner`: runs a statement on both sides, compares, minimises and formats reproducers.
- :mod:`.edge`: a fixture of edge values in every field type.
"""
