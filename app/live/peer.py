"""aiortc peer connections that work with Janus, on a LAN and on this machine alone.

aioice never offers 127.0.0.1 as a candidate; a station whose Janus is on this machine (the embedded
hub, tests) then has no path when the machine has no other interface up. For those cases we offer the
loopback address alone. One bundle for everything: Janus sends all its streams on one transport, and
without max-bundle a second incoming video gets no frames (RECIPES.md).
"""

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCBundlePolicy

_host_addresses = aioice.ice.get_host_addresses
_with_loopback = False


def _addresses(use_ipv4: bool = True, use_ipv6: bool = True) -> list[str]:
    if _with_loopback:  # Janus is on this machine: loopback is the one path needed (one socket, no IPv6 ones)
        return ["127.0.0.1"] if use_ipv4 else []
    return _host_addresses(use_ipv4=use_ipv4, use_ipv6=use_ipv6)


aioice.ice.get_host_addresses = _addresses


def offer_loopback(on: bool) -> None:
    """Offer 127.0.0.1 only (a Janus on this machine)."""
    global _with_loopback
    _with_loopback = on


def peer_connection(ice_servers: list[dict] | None = None) -> RTCPeerConnection:
    """`ice_servers`: [{"urls": [...], "username": ..., "credential": ...}] as the hub hands them out."""
    servers = [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
               for s in ice_servers or []]
    return RTCPeerConnection(RTCConfiguration(iceServers=servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
