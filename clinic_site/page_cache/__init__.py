"""
Whole-page cache for public pages, with each visitor's own CSRF token, CSP nonce and any other
per-visitor value a view registers. How it works and its rules: docs/architecture.md ("The page
cache"); what it costs and saves: docs/performance.md.

Views use `decorators.cache_public_page`, `visitor_values.register_visitor_value`,
`keys.mark_query_unused` and `expiry.expire_at`; content code calls
`storage.invalidate_public_pages`.
"""
