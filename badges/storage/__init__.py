"""The engine under the domain: database sessions and transactions, schema migrations,
the instance folder and its secret, sealing secrets at rest, and the runtime that opens
them together for the web app, the CLI and the workers.
"""
