"""The hub's HTTP routes, one APIRouter per area; server.api.create_app wires them in order."""
