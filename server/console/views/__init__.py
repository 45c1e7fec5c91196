"""The console's pages over the hub's consultation services, one module per page (each an APIRouter
that server/console/__init__.py includes under /console): inbox, case, triage, conclusion."""
