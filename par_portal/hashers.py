"""The password hasher: Argon2id with the parameters OWASP recommends for logins.

Django's own Argon2 hasher asks for 100 MiB and 8 lanes per check: about 0.2 s of CPU on
a 2-core server, and PBKDF2 with Django's 1,500,000 iterations about 0.35 s. On the day
before 25/11 every department and district logs in within minutes, and each check holds a
worker. OWASP's Password Storage Cheat Sheet gives m = 19 MiB, t = 2, p = 1 as an
Argon2id configuration of equal strength to its others; here it costs about 0.02 s.
Stored hashes with other parameters (or PBKDF2) are rewritten with these at the next
successful login, as Django does for any hasher whose parameters changed.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OWASPArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
