"""Discovery: finding the topics' articles beyond the feed list, through news searches.

A topic's concepts become search queries per language (``queries``); the configured providers
(``config/discovery.yaml``: the GDELT DOC 2.0 API, RSS search URL templates) run them (``gdelt``, ``rss``),
and the articles they list enter the same path as a feed's items: entry -> fetch -> fold -> flag -> alert.

How discovered articles are stored, and why so (``store.entries``, schema 0008):

* a provider is a *source* of entries beside the feeds, not a pretend feed: entries have a feed or a
  provider (``entries.provider_id``), so the feed list, Feed health's feed table and the failing-feeds
  health check stay about feeds, while fetching, backlog bounds and the fair plan treat a provider as
  one source among them (``feeds/schedule.py``): its hundreds of finds cannot starve the feeds, nor
  can the feeds starve it;
* one entry per article: every entry carries its link's URL key (``stories.urls.url_key``, which also
  unwraps redirect wrappers), and an article already known gets only a *find* (which query of which
  provider found which entry, ``discovery_finds``); a feed listing an article a search found first takes
  that entry over. The story page shows, per copy, the feeds and the queries that found it;
* a provider's answer is untrusted input like a feed: the one HTTP client (SSRF guard, size and time
  caps), its own host:port only when ``allow_private``, never the links it lists; shared politeness with
  its documented rate limit as the host's spacing.

The stage is ``stage.run_discovery``; the DAG runs it as ``news_discovery`` after ``poll_feeds``.
"""
