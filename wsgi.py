"""WSGI entry point: ``gunicorn wsgi:app``.

Each gunicorn worker imports this module as it boots, so the champion model is loaded
before the worker accepts its first request.
"""

import gc

from creditapp import create_app
from creditapp.boot import warm

app = create_app()
warm(app)
# Everything loaded so far (modules, the model, caches) lives as long as the worker: moved
# out of the collector's generations, it is no longer re-scanned by the full collections
# that a 700-transaction application's thousands of objects set off.
gc.freeze()
