"""LAN discovery of a class (game/server/discovery.py): advertised as _gatekeeper._tcp with its title and
port — never the join code or a token — and never an error when the network will not have it."""

from __future__ import annotations

import socket
import time

import pytest

from game.server.discovery import SERVICE, Advertiser, lan_address


def multicast_works() -> bool:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                         socket.inet_aton("224.0.0.251") + socket.inet_aton("0.0.0.0"))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not multicast_works(), reason="no multicast on this machine's network (mDNS cannot work)")
def test_a_class_is_found_on_the_lan_without_its_code():
    from zeroconf import ServiceBrowser, Zeroconf

    logs: list[str] = []
    ad = Advertiser("Week 3 — Room 12", lan_address() or "127.0.0.1", 8470, log=logs.append)
    ad.start()
    zc, found = Zeroconf(), []

    class Listener:
        def add_service(self, zc_, type_, name):
            info = zc_.get_service_info(type_, name, 3000)
            if info is not None and info.port == 8470:
                found.append(info.properties)

        def update_service(self, *args):
            pass

        def remove_service(self, *args):
            pass

    browser = ServiceBrowser(zc, SERVICE, Listener())
    try:
        end = time.monotonic() + 10
        while not found and time.monotonic() < end:
            time.sleep(0.1)
    finally:
        browser.cancel()
        zc.close()
        ad.close()
    assert not logs
    assert found and found[0] == {b"title": "Week 3 — Room 12".encode(), b"api": b"1", b"path": b"/"}


def test_an_unusable_network_is_one_line_and_no_error():
    logs: list[str] = []
    ad = Advertiser("Week 3", "not an address", 8470, log=logs.append)
    ad.start()
    ad.close()  # joins the registration thread
    assert len(logs) == 1 and "LAN discovery is off" in logs[0] and "\n" not in logs[0]
