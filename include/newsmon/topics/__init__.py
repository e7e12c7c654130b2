"""Topics: user-written topic files (YAML), the rule engine that scores articles with evidence,
evaluation against labelled examples or feedback, and an optional learned layer.

Import the submodules directly (``newsmon.topics.model``, ``.score``, ``.evaluate``, ``.learned``);
this package file stays empty so ``import newsmon.topics`` costs nothing.
"""
