"""The throwaway servers a bare machine runs the suite on (scripts/local_servers.py): they serve on 127.0.0.1
only, leave nothing behind, and the Redis claims keep two Celery stacks on one server apart."""

from __future__ import annotations

import psycopg
import redis

from local_servers import CLAIM_KEY, LocalPostgres, LocalRedis, RedisClaim, postgres_answers, redis_answers


def test_throwaway_postgres_serves_on_loopback_and_leaves_nothing_behind():
    server = LocalPostgres()
    url = server.start()
    home = server.home
    try:
        assert home is not None and home.is_dir()
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
            assert conn.execute("SHOW port").fetchone() == (str(server.port),)
            conn.execute('CREATE DATABASE "scratch"')
            encoding, provider = conn.execute(
                "SELECT pg_encoding_to_char(encoding), datlocprovider FROM pg_database "
                "WHERE datname = 'scratch'"
            ).fetchone()
            assert (encoding, provider) == ("UTF8", "b")  # the same collation on every machine
        with psycopg.connect(url.rsplit("/", 1)[0] + "/scratch") as conn:
            conn.execute("CREATE TABLE t (v text)")
            conn.execute("INSERT INTO t VALUES ('Ünïcode')")
            assert conn.execute("SELECT upper(v) FROM t").fetchone() == ("ÜNÏCODE",)
    finally:
        server.stop()
    assert not postgres_answers(url, timeout=1)
    assert not home.exists()


def test_redis_claims_are_exclusive_and_come_back_empty():
    with LocalRedis() as url:
        first, second = RedisClaim(url), RedisClaim(url)
        a, b = first.claim(), second.claim()
        assert a and b and a != b
        assert not a.endswith("/0") and not b.endswith("/0")  # `make run-prod` uses database 0
        with redis.Redis.from_url(a) as client:
            client.set("celery-queue", "task")
            assert client.get(CLAIM_KEY) is not None
        first.release()
        with redis.Redis.from_url(a) as client:
            assert client.dbsize() == 0
        again = RedisClaim(url)
        assert again.claim() == a  # released means free again
        again.release()
        second.release()
    assert not redis_answers(url)


def test_no_claim_when_every_numbered_database_is_in_use():
    with LocalRedis() as url:
        server = url.rsplit("/", 1)[0]
        for db in range(1, 16):
            with redis.Redis.from_url(f"{server}/{db}") as client:
                client.set("someone-else", "data")
        assert RedisClaim(url).claim() is None
        with redis.Redis.from_url(f"{server}/3") as client:
            assert client.get("someone-else") == b"data"  # nothing of theirs was touched
