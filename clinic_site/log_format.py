"""
One JSON object per line for every log record (Django's and gunicorn's).

One line keeps a traceback with its error in any log collector, and every log service parses
JSON without configuration. Only the fields below are written, never the request, POST data or
`extra` values, so nothing a patient typed reaches the logs through the formatter (the
`redact_personal_data` filter masks what slips into a message, and the signed part of a
confirmation link in a logged path; docs/privacy.md).

No Django imports: gunicorn loads this before Django is set up.
"""

import json
import logging
from datetime import UTC, datetime


class JSONLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # django.request and django.server attach the response status: useful, not personal.
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):
            entry["status"] = status_code
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
