"""WSGI entry point: ``gunicorn wsgi:app``.

Each gunicorn worker imports this module as it boots, so the champion model is loaded
before the worker accepts its first request.
"""

from creditapp import create_app
from creditapp.boot import warm

app = create_app()
warm(app)
