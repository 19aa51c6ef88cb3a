"""Every HTTP call Chemins makes to the outside goes through one guarded client.

Platform keys and services, Dynamic Registration, badge verification, and the
connectors and backpacks to come all reach addresses that someone else chose: a
platform's launch names its service URLs, a stranger opens ``/lti/register`` with a
configuration URL, anybody can hand ``chemins verify`` a link. So the client
(:class:`~badges.outbound.client.OutboundClient`) checks the address each connection
really reaches, follows redirects only when asked and re-checks every hop, gives each
call one total deadline and caps the size of what it reads. Only hosts an admin put on
the allowlist (:mod:`badges.outbound.allowlist`) may lead into a private network.

Core layer: no Flask, no database. Nothing else in the code base opens a
``requests.Session`` (a test fails if one does).
"""
