"""Open Badges 2.0 and 3.0 as a library: documents, signing, baking and offline verification.

Pure standards code: no database, no web framework. Anything here could be reused by
another project. Network access, when a hosted badge must be fetched, goes through a
:class:`~badges.openbadges.loader.Loader` the caller provides; JSON-LD contexts are
bundled and never fetched.
"""
