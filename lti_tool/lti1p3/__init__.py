"""LTI 1.3 protocol for the tool side, free of Flask and of the database.

Modules are named after the specification's own nouns (as in pylti1p3): ``oidc_login``,
``message_launch``, ``platform_keys``, ``roles``, ``deep_link``, ``names_roles``,
``assignments_grades``. Every claim, message type and scope name is spelled once, in
``claims``; ``launch_facts`` says what a validated launch's claims mean for Chemins.
The web layer (``lti_tool.blueprints.lti``) adapts HTTP and storage to them.
"""
