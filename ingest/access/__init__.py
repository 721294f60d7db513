"""Access state kept in the database, so that it holds across workers and machines:

- ``attempts``: failed passwords per account and address, in a sliding window (the lock-out);
- ``nonces``: the Digest (nonce, nonce count) pairs already used (no replay);
- ``signins``: the dashboard's signed-in browsers (signing out ends the session).

Functions take a ``Session`` and the time; they never commit (the caller decides when: a
failed attempt must be committed before the password is checked).
"""
