"""Moved: the schema operations live in ``nextorm/schema/operations.py`` (a data layer below
the dialects and the generator).  This name stays an alias of that module while the diff's
modules move over."""

import sys

from ..schema import operations as _operations

sys.modules[__name__] = _operations
