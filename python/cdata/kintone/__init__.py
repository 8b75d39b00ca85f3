"""``cdata.kintone``: the same module as ``cdata_kintone`` under the reference product's name.

``import cdata.kintone as mod`` gives the ``cdata_kintone`` module object itself (``cdata`` is a
namespace package without ``__init__.py``).
"""

import sys

import cdata_kintone
from cdata_kintone import *  # noqa: F403  (names for type checkers; replaced just below)

sys.modules[__name__] = cdata_kintone
