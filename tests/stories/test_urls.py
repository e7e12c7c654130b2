"""url_key: every disguise of one article URL gives one key; different articles keep different keys."""

from __future__ import annotations

import pytest

from newsmon.stories.urls import unwrap, url_key

BASE = "https://example.com/news/2024/05/story-one?id=5"

DISGUISES = {
    "http": "http://example.com/news/2024/05/story-one?id=5",
    "www": "https://www.example.com/news/2024/05/story-one?id=5",
    "trailing slash": "https://example.com/news/2024/05/story-one/?id=5",
    "default port": "https://example.com:443/news/2024/05/story-one?id=5",
    "http default port": "http://www.example.com:80/news/2024/05/story-one?id=5",
    "fragment": "https://example.com/news/2024/05/story-one?id=5#comments",
    "host case": "https://EXAMPLE.com/news/2024/05/story-one?id=5",
    "utm": "https://example.com/news/2024/05/story-one?utm_source=rss&id=5&utm_medium=feed&utm_campaign=x",
    "fbclid/gclid": "https://example.com/news/2024/05/story-one?id=5&fbclid=IwAR0abc&gclid=Cj0KCQ",
    "mailchimp": "https://example.com/news/2024/05/story-one?mc_cid=12ab&mc_eid=34cd&id=5",
    "amp suffix": "https://example.com/news/2024/05/story-one/amp?id=5",
    "amp query": "https://example.com/news/2024/05/story-one?id=5&amp=1",
    "amp output": "https://example.com/news/2024/05/story-one?outputType=amp&id=5",
    "amp host": "https://amp.example.com/news/2024/05/story-one?id=5",
    "amp path prefix": "https://example.com/amp/news/2024/05/story-one?id=5",
    "outlook safelinks": "https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.example.com%2Fnews"
    "%2F2024%2F05%2Fstory-one%3Fid%3D5%26utm_source%3Dnewsletter&data=05%7C01%7Cx&sdata=abc&reserved=0",
    "google redirect": "https://www.google.com/url?sa=t&rct=j&q=&url=https%3A%2F%2Fexample.com%2Fnews%2F2024"
    "%2F05%2Fstory-one%3Fid%3D5&usg=AOv",
    "google q redirect": "https://www.google.co.uk/url?q=https://example.com/news/2024/05/story-one%3Fid%3D5",
    "click tracker ?url=": "https://click.mailer.example.net/track?url=https%3A%2F%2Fexample.com%2Fnews%2F2024"
    "%2F05%2Fstory-one%3Fid%3D5&uid=9",
    "facebook ?u=": "https://l.facebook.com/l.php?u=https%3A%2F%2Fexample.com%2Fnews%2F2024%2F05%2Fstory-one"
    "%3Fid%3D5&h=AT0",
    "nested wrappers": "https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fl.facebook.com%2Fl.php"
    "%3Fu%3Dhttps%253A%252F%252Fexample.com%252Fnews%252F2024%252F05%252Fstory-one%253Fid%253D5",
}


@pytest.mark.parametrize("disguise", sorted(DISGUISES))
def test_each_disguise_has_the_key_of_the_plain_url(disguise: str) -> None:
    assert url_key(DISGUISES[disguise]) == url_key(BASE)


def test_key_is_a_readable_https_url() -> None:
    assert url_key("http://www.Example.com/A/b/?z=1&a=2#x") == "https://example.com/A/b?a=2&z=1"


@pytest.mark.parametrize(
    "other",
    [
        "https://example.com/news/2024/05/story-two?id=5",  # another article
        "https://example.com/news/2024/05/story-one?id=6",  # a query parameter that names the article
        "https://other.example/news/2024/05/story-one?id=5",  # another publisher
        "https://example.com:8443/news/2024/05/story-one?id=5",  # a non-default port is another server
        "https://example.com/News/2024/05/story-one?id=5",  # paths are case-sensitive
    ],
)
def test_different_articles_keep_different_keys(other: str) -> None:
    assert url_key(other) != url_key(BASE)


def test_a_search_page_is_not_taken_for_a_redirect() -> None:
    search = "https://www.google.com/search?q=https://example.com/x"
    assert unwrap(search) == search
    assert "google.com/search" in url_key(search)


def test_a_non_url_parameter_is_not_unwrapped() -> None:
    assert unwrap("https://example.com/share?url=not-a-link") == "https://example.com/share?url=not-a-link"


def test_edition_parameters_with_real_meaning_stay() -> None:
    assert "output=json" in url_key("https://example.com/api/item?output=json")


@pytest.mark.parametrize(
    "hostile", ["", "   ", "not a url", "http://[::1", "javascript:alert(1)", "https://", "ftp://x/y"]
)
def test_hostile_input_returns_a_string_and_never_raises(hostile: str) -> None:
    assert isinstance(url_key(hostile), str)


def test_unicode_paths_and_hosts_are_encoded_once() -> None:
    assert url_key("https://пример.рф/новости/1") == url_key(
        "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1"
    )
