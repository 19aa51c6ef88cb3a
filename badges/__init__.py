"""The recognition core of Chemins.

``badges.openbadges`` is pure standards code (no database, no web). The rest of this
package is the recognition domain: models, the workflows named after what people do,
and storage. Nothing here imports Flask.
"""
