import pytest

from tests.integration.workers import broker, require_postgres, shared_redis_url, workers


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Workers on the machine's Redis (REDIS_URL, emptied first); this process sends its tasks there too."""
    require_postgres()
    url = shared_redis_url()
    with broker(url), workers(tmp_path, url) as start:
        yield start
