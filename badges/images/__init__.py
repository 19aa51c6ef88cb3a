"""Pictures made safe and badges drawn: no database, no web.

Phone photos given as evidence (:mod:`~badges.images.photos`) and pictures uploaded for a
badge (:mod:`~badges.images.uploaded_images`) are checked by their content, decoded
with limits and re-encoded without metadata; badge pictures are drawn from a few choices
(:mod:`~badges.images.badge_designer`, with :mod:`~badges.images.icons`) or from the
name's initials (:mod:`~badges.images.badge_images`).
"""
