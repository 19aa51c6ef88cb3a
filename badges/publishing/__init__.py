"""Our rows as Open Badges documents: what a verifier, a backpack or a wallet reads.

The standards library (:mod:`badges.openbadges`) knows the shapes; this package knows
which row becomes which document and at which public URL (:mod:`badges.public_urls`).
:mod:`.ob2` writes the OB 2.0 hosted and signed documents, :mod:`.ob3` the OB 3.0 ones.
Both publish only what people agreed to make public: private evidence never leaves.
"""
