"""gunicorn settings for `make serve` and the benches (read automatically from the working
directory; command-line flags override). Values are explained in the README's
Configuration section."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", "2"))
# Sync workers: measured faster than gthread for this CPU-bound scoring (see DESIGN.md).
worker_class = "sync"
# A worker that answers nothing for this long is killed and replaced. It is above the
# database's statement_timeout (DB_STATEMENT_TIMEOUT_MS, 20 s), so a slow query ends with
# a 503 from the app rather than a killed worker and a dropped connection.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Request limits: gunicorn answers these itself with a small HTML error (the app's own
# JSON 414 starts at MAX_URL_LENGTH = 4096, well inside this line limit).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Recycle workers now and then so a slow leak cannot grow without bound (jitter: not all
# workers at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
