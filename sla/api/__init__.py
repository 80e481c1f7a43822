"""The JSON API under /api/v1 (personal tokens), with its OpenAPI 3 document."""
