"""A small LMS that plays the platform side of LTI 1.3, for the demo and the tests.

Built on lti1p3platform for launches; its LTI Advantage services (tokens, NRPS, AGS,
Deep Linking return, Dynamic Registration) check what a real platform checks.
"""
