"""The web app: routes, views, templates and the image proxy."""
