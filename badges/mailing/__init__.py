"""E-mail for notifications: SMTP settings, the messages, and their outbox.

The notification rows (:mod:`badges.recognition.notifying`) are the outbox: the web
request that accepts a request writes the row in its transaction, and ``chemins
worker`` sends it later (:mod:`badges.mailing.sending`), so no page waits on a mail
server and a server that is down only delays the e-mail. Nothing here imports Flask:
the texts are a bilingual table (:mod:`badges.mailing.wording`), see decision 0027.
"""
