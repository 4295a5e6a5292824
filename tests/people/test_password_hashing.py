"""Password hashing: how many at once, and old hashes brought up to today's parameters."""

import threading
import time

from argon2 import PasswordHasher

from app.core import security
from app.people import service
from tests.conftest import PASSWORD
from tests.factories import make_user


def test_a_sign_in_hashes_a_password_made_with_older_parameters_again(session):
    user = make_user(session)
    older = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1).hash(PASSWORD)
    user.password_hash = older
    session.commit()
    assert security.needs_rehash(older)

    refused = service.authenticate(
        session, email=user.email, password="wrong-pass", address="1.1.1.1"
    )
    session.commit()
    session.refresh(user)
    assert refused is None and user.password_hash == older  # a wrong password changes nothing

    signed_in = service.authenticate(
        session, email=user.email, password=PASSWORD, address="1.1.1.1"
    )
    session.commit()
    session.refresh(user)
    assert signed_in == user
    assert user.password_hash != older
    assert not security.needs_rehash(user.password_hash)
    assert security.verify_password(user.password_hash, PASSWORD)


def test_a_current_hash_is_left_as_it_is(session):
    user = make_user(session)
    current = user.password_hash

    assert service.authenticate(session, email=user.email, password=PASSWORD, address="1.1.1.1")
    session.commit()
    session.refresh(user)
    assert user.password_hash == current


class _SlowHasher:
    """Stands in for argon2: takes its time and counts how many run at once."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.lock = threading.Lock()

    def _work(self) -> None:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1

    def hash(self, password: str) -> str:
        self._work()
        return f"slow${password}"

    def verify(self, stored: str, password: str) -> bool:
        self._work()
        return stored == f"slow${password}"


def test_at_most_a_few_passwords_are_hashed_at_once_and_unknown_accounts_do_not_stall(
    monkeypatch,
):
    slow = _SlowHasher()
    monkeypatch.setattr(security, "_hasher", lambda: slow)
    security._dummy_hash.cache_clear()  # unknown accounts make theirs while others wait
    results: list[bool] = []

    def sign_in(n: int) -> None:
        if n % 3 == 0:
            results.append(security.verify_password(None, "x"))  # an unknown account
        elif n % 3 == 1:
            results.append(security.verify_password("slow$pw", "pw"))
        else:
            results.append(security.hash_password("pw") == "slow$pw")

    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    security._dummy_hash.cache_clear()

    assert not any(thread.is_alive() for thread in threads)
    assert slow.most == security.HASHING_AT_ONCE
    assert results.count(False) == 4 and results.count(True) == 8
