"""The download page and the format-request service: routes, HTTP details, variants, pages."""
