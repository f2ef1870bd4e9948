"""What the site and the API both present, in one place: the faces' shared room.

* ``http_cache``: validators, ``304``, the page cache and who may keep a copy (every public read);
* ``charts``: a report's stored SVG charts as one sandboxed response;
* ``jsonld``: schema.org ClaimReview, on a claim page and in the API's export;
* ``lineage``: the lineage map drawn by Graphviz.

The site (``claims.views``, the template tags, feeds, cards) and the API (``claims.api``) import
from here; ``claims.models`` and ``claims.selectors`` never do (``tests/test_layers.py``): what they
need to compute a value lives on their side - the grammar (``claims.models.grammar``), the verdict
vocabulary (``claims.models.verdicts``, from the engine's ``headline``), the lineage graph's data
(``claims.lineage``) - so the dependency points one way, from the faces down.
"""
