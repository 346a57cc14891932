"""
Insights for clinic managers: aggregate figures about requests (how many, from where, how far
they get, how fast they are answered), never about one patient. docs/insights.md explains each
figure to its readers.
"""
