"""The LTI platforms an instance trusts: registering them (by hand or by Dynamic
Registration), who may register into which community, the single-use links that open
registration and administration, and which platforms' e-mail addresses are believed.
"""
