"""aiortc peer connections that work with Janus, on a LAN and on this machine alone.

aioice never offers 127.0.0.1 as a candidate; a station whose Janus is on this machine (the embedded
hub, tests) then has no path when the machine has no other interface up. We add the loopback address
for those cases only. One bundle for everything: Janus sends all its streams on one transport, and
without max-bundle a second incoming video gets no frames (RECIPES.md).
"""

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCBundlePolicy

_host_addresses = aioice.ice.get_host_addresses
_with_loopback = False


def _addresses(use_ipv4: bool = True, use_ipv6: bool = True) -> list[str]:
    found = _host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
    if _with_loopback and use_ipv4 and "127.0.0.1" not in found:
        found = ["127.0.0.1", *found]
    return found


aioice.ice.get_host_addresses = _addresses


def offer_loopback(on: bool) -> None:
    """Offer 127.0.0.1 too (a Janus on this machine)."""
    global _with_loopback
    _with_loopback = on


def peer_connection(ice_servers: list[dict] | None = None) -> RTCPeerConnection:
    """`ice_servers`: [{"urls": [...], "username": ..., "credential": ...}] as the hub hands them out."""
    servers = [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
               for s in ice_servers or []]
    return RTCPeerConnection(RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
