from tests.http.localserver import server  # noqa: F401 - the fixture, for this package's tests
