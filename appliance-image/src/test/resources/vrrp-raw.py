"""Raw-socket helpers for the VRRP integration tests (run with /usr/bin/python3 inside a test namespace, as root).

  vrrp-raw.py flood IFACE SRC HEX RATE SECONDS   send the VRRP payload HEX (IP protocol 112) to 224.0.0.18 from
                                                 SRC on IFACE, RATE packets a second for SECONDS; prints the count
  vrrp-raw.py arp IFACE IP SECONDS               count ARP frames whose sender address is IP for SECONDS; prints it
  vrrp-raw.py vrrp LOCAL SRC SECONDS             count VRRP packets from SRC to 224.0.0.18 for SECONDS (joined
                                                 on the interface of LOCAL); prints it
"""
import socket
import sys
import time

SO_BINDTODEVICE = 25


def flood(iface, src, payload_hex, rate, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, iface.encode() + b"\0")
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.bind((src, 0))
    payload = bytes.fromhex(payload_hex)
    sent = 0
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            break
        due = int(elapsed * rate)
        while sent < due:
            s.sendto(payload, ("224.0.0.18", 0))
            sent += 1
        time.sleep(0.0005)
    print(sent)


def arp(iface, ip, seconds):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
    s.bind((iface, 0))
    s.settimeout(0.1)
    wanted = socket.inet_aton(ip)
    count = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            frame = s.recv(2048)
        except socket.timeout:
            continue
        # Ethernet 14 bytes, then ARP: sender protocol address at offset 14 + 14
        if len(frame) >= 32 and frame[28:32] == wanted:
            count += 1
    print(count)


def vrrp(local, src, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("224.0.0.18") + socket.inet_aton(local))
    s.settimeout(0.1)
    wanted = socket.inet_aton(src)
    count = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            packet = s.recv(2048)
        except socket.timeout:
            continue
        # the IPv4 header comes along: source address at offset 12
        if packet[12:16] == wanted:
            count += 1
    print(count)


if __name__ == "__main__":
    if sys.argv[1] == "flood":
        flood(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]))
    elif sys.argv[1] == "arp":
        arp(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif sys.argv[1] == "vrrp":
        vrrp(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit("usage: vrrp-raw.py flood|arp|vrrp ...")
