"""The recognition people do: communities and their issuer profiles, badge classes and
three-level families, awarding, endorsing and revoking, and the keys that sign badges.
"""
