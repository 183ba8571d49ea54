"""Optional LAN discovery: the class is advertised as a ``_gatekeeper._tcp`` service (mDNS/zeroconf), so a
student's game can list it without typing an address. Address + code always work without it.

Advertised: the class title, the port and the API version; never the join code or a token (anyone on
the network can read mDNS). Everything here is best effort: a network that refuses multicast, a
missing interface or any zeroconf error is reported in one line and the class runs on.
"""

from __future__ import annotations

import socket
import threading

SERVICE = "_gatekeeper._tcp.local."


def lan_address() -> str | None:
    """This machine's address on the network the default route leads to (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only, nothing is sent over UDP connect
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


class Advertiser:
    """Registers the service in a background thread; close() unregisters it."""

    def __init__(self, title: str, address: str, port: int, log=print) -> None:
        self.title, self.address, self.port, self.log = title, address, port, log
        self._zc = None
        self._info = None
        self._thread = threading.Thread(target=self._register, name="zeroconf", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _register(self) -> None:
        try:
            from zeroconf import ServiceInfo, Zeroconf

            name = "".join(ch for ch in self.title if ch.isalnum() or ch in " -_")[:40].strip() or "class"
            self._info = ServiceInfo(
                SERVICE, f"{name} ({self.port}).{SERVICE}", port=self.port,
                addresses=[socket.inet_aton(self.address)],
                properties={"title": self.title[:200], "api": "1", "path": "/"})
            self._zc = Zeroconf()
            self._zc.register_service(self._info, allow_name_change=True)
        except Exception as e:  # never fail the class because the network will not multicast
            self.log(f"LAN discovery is off ({type(e).__name__}: {e}); students type the address")
            self._zc = None

    def close(self) -> None:
        self._thread.join(timeout=5)
        if self._zc is not None:
            try:
                self._zc.unregister_service(self._info)
                self._zc.close()
            except Exception:
                pass
