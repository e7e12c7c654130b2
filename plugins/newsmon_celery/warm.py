"""Read once by each Celery worker when it starts (`imports` in CELERY_CONFIG): the configured topics.

Every task is a fork of its worker, and flag_topics, send_alerts and check_surges each read the topics
(about half a second of CPU). Read here, a forked task finds them in ``newsmon.topics.model``'s cache and
reads them again only if a topic file changed since the worker started. A topics directory that does not
load is left to the tasks, which report it where an operator looks: the task log.
"""

import logging

from newsmon.config.settings import load_settings
from newsmon.topics.model import load_topics

try:
    load_topics(load_settings().topics_dir)
except Exception as exc:  # a worker must start whatever the topic files hold
    logging.getLogger(__name__).warning("topics not read ahead at worker start: %s", exc)
