"""Password hashing: Argon2id with OWASP's recommended parameters.

Django's Argon2 defaults (100 MiB, 2 passes, 8 lanes) cost 347 ms of CPU per log-in on this
2-core machine (both cores for ~200 ms); ten people logging in together held every page for
other visitors for seconds (`make load`, issue #9), and each log-in attempt was a cheap way to
load the server. OWASP's Password Storage Cheat Sheet recommends Argon2id with at least 19 MiB,
2 iterations and 1 lane: 51 ms of one core here. Hashes made with other parameters are re-made
with these at the user's next log-in (Django's `must_update`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name: existing "argon2$..." hashes verify, and are upgraded on log-in.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
