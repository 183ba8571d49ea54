"""Finding class servers on the local network (python-zeroconf, service type ``_gatekeeper._tcp``), so
students can pick their class instead of typing an address. Optional: when zeroconf is missing or the
network does not allow multicast, nothing is found and the address + code fallback always works.

zeroconf runs its own threads; :class:`ClassBrowser` only collects what it reports into a dict the
join screen reads each frame (``found()``, a copy), so a frame never waits for the network.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)

SERVICE = "_gatekeeper._tcp.local."
MAX_FOUND = 20


@dataclass(frozen=True)
class Found:
    name: str     # what the teacher's server calls itself (the challenge's title, cut short)
    address: str  # host:port to type in


def _label(service_name: str, properties: dict) -> str:
    raw = properties.get(b"title") or properties.get(b"name") or service_name.split("." + SERVICE)[0].encode()
    try:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    except Exception:  # noqa: BLE001 - a name from the network is never worth a crash
        text = "?"
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:60] or "?"


class ClassBrowser:
    """Browse in the background from ``start()`` until ``stop()``; ``found()`` is never blocking."""

    def __init__(self) -> None:
        self._found: dict[str, Found] = {}
        self._lock = threading.Lock()
        self._zc = None
        self._browser = None
        self.error = ""

    def start(self) -> None:
        threading.Thread(target=self._start, daemon=True, name="class-browse").start()

    def _start(self) -> None:
        try:
            from zeroconf import ServiceBrowser, ServiceStateChange, Zeroconf
        except ImportError:
            self.error = "zeroconf is not installed"
            return

        def changed(zeroconf, service_type, name, state_change) -> None:
            try:
                if state_change is ServiceStateChange.Removed:
                    with self._lock:
                        self._found.pop(name, None)
                    return
                info = zeroconf.get_service_info(service_type, name, timeout=2000)
                if info is None or not info.port:
                    return
                hosts = [a for a in info.parsed_addresses() if ipaddress.ip_address(a).version == 4] or \
                    info.parsed_addresses()
                if not hosts:
                    return
                with self._lock:
                    if len(self._found) < MAX_FOUND or name in self._found:
                        label = _label(name, info.properties or {})
                        self._found[name] = Found(label, f"{hosts[0]}:{info.port}")
            except Exception as e:  # noqa: BLE001 - one odd announcement must not stop browsing
                log.debug("class browse: %s", e)

        try:
            self._zc = Zeroconf()
            self._browser = ServiceBrowser(self._zc, SERVICE, handlers=[changed])
        except Exception as e:  # noqa: BLE001 - no multicast here: typing the address still works
            self.error = str(e)[:200]
            self.stop()

    def found(self) -> list[Found]:
        with self._lock:
            return sorted(self._found.values(), key=lambda f: (f.name.casefold(), f.address))

    def stop(self) -> None:
        zc, self._zc = self._zc, None
        if zc is not None:
            threading.Thread(target=zc.close, daemon=True).start()  # closing waits on the network
