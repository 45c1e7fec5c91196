"""The written consultation on the hub: the thread, the inbox, triage, conclusions and their signatures.

Services for the console (server/console) and anything else of the hub's: each takes the caller's
SQLAlchemy connection (one transaction), the acting Principal and plain values, and goes through
ResourceStore, so the one set of access rules (server/access.py), the de-identification for
experts abroad and the hub-set authorship apply as for the FHIR API.

Errors: FhirError (404 not visible, 403 not this person's to do, 409 conflict, 412 stale) as the
API answers them, and InvalidInput (a ValueError naming the form field, its message in Vietnamese).
"""

from .common import InvalidInput
from .conclusions import amend, content_hash, make_minutes_of, minutes_id, save_draft, sign, signature_id, verify
from .thread import InboxRow, Thread, inbox, thread
from .triage import accept, assign, decline, post_message

__all__ = ["InboxRow", "InvalidInput", "Thread", "accept", "amend", "assign", "content_hash", "decline", "inbox",
           "make_minutes_of", "minutes_id", "post_message", "save_draft", "sign", "signature_id", "thread", "verify"]
