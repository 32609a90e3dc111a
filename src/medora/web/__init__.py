"""The web app and REST API (`medora serve`): FastAPI, server-rendered Jinja2 pages, htmx."""
