"""Password hashing parameters."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """
    Argon2id with OWASP's minimum parameters (m=19 MiB, t=2, p=1).

    Django's defaults (m=100 MiB, p=8) cost ~240 ms of CPU and 100 MiB per login on our
    2-core machines; OWASP's profile keeps the same security class at a fraction of that.
    It keeps the `argon2` algorithm name, so hashes made with other parameters still verify
    and are re-hashed on the next successful login.
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
