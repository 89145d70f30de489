"""Speaker attribution: who speaks each quotation. Pure: a Book and a Cast in, a Book out.

Sieves run in order for every quote; the first that answers wins and is recorded as the
segment's `rule`. See `sieves.py` for the rules and `names.py` for matching the cast.
"""

from audiobook.attribution.sieves import RULES, attribute

__all__ = ["RULES", "attribute"]
