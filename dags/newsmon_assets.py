"""Assets newsmon's DAGs share: the monitor publishes, the digest follows."""

from airflow.sdk import Asset

# An event on this asset means "new stories were flagged for a topic in this run".
FLAGGED_STORIES = Asset(name="newsmon_flagged_stories", uri="newsmon://flagged-stories", group="newsmon")
