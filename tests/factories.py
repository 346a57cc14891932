"""Small plain helpers that make test data (djangoproject.com style)."""
