#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""dbus_grab.py - the picture QEMU's D-Bus display shows, as a PPM file.

Test infrastructure for qemu_e2e_test (Documentation/testing.rst). QEMU 10.0
shows a dma-buf console to no VNC or plain SPICE client ("The console
requires display DMABUF support"), and its screendump has no surface for a
dma-buf scanout. Its D-Bus display ("-display dbus,p2p=yes,gl=on") passes
the dma-buf itself to a listener. This is such a listener:

  dbus_grab.py QMP_SOCKET [TIMEOUT]

It attaches to QEMU through QMP (getfd + add_client @dbus-display), registers
a listener on console 0 (RegisterListener, a peer connection of its own),
prints "ready" and then serves requests: for each line on standard input
naming a file, it waits for the next update from QEMU (so QEMU has looked at
the device since the request), writes what the dma-buf holds there as a PPM
- read through its mmap, the exporter's own - and prints "ok dmabuf WIDTH
HEIGHT", or a reason (a plain surface scanout is one: VNC and screendump
show those; it lasts until QEMU's next dma-buf scanout, as when firmware
sets its mode after QEMU's placeholder). An empty line or the end of input ends it (one listener for a
whole run: QEMU 10.0 keeps calling a peer listener that went away).
"""
import json
import mmap
import select
import socket
import sys
import time

from gi.repository import Gio, GLib

LISTENER_XML = """
<node>
  <interface name="org.qemu.Display1.Listener">
    <method name="Scanout">
      <arg type="u" direction="in"/><arg type="u" direction="in"/>
      <arg type="u" direction="in"/><arg type="u" direction="in"/>
      <arg type="ay" direction="in"/>
    </method>
    <method name="Update">
      <arg type="i" direction="in"/><arg type="i" direction="in"/>
      <arg type="i" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="in"/><arg type="u" direction="in"/>
      <arg type="ay" direction="in"/>
    </method>
    <method name="ScanoutDMABUF">
      <arg type="h" direction="in"/><arg type="u" direction="in"/>
      <arg type="u" direction="in"/><arg type="u" direction="in"/>
      <arg type="u" direction="in"/><arg type="t" direction="in"/>
      <arg type="b" direction="in"/>
    </method>
    <method name="UpdateDMABUF">
      <arg type="i" direction="in"/><arg type="i" direction="in"/>
      <arg type="i" direction="in"/><arg type="i" direction="in"/>
    </method>
    <method name="Disable"/>
    <method name="MouseSet">
      <arg type="i" direction="in"/><arg type="i" direction="in"/>
      <arg type="i" direction="in"/>
    </method>
    <method name="CursorDefine">
      <arg type="i" direction="in"/><arg type="i" direction="in"/>
      <arg type="i" direction="in"/><arg type="i" direction="in"/>
      <arg type="ay" direction="in"/>
    </method>
    <property name="Interfaces" type="as" access="read"/>
  </interface>
</node>
"""
DRM_FORMAT_XRGB8888 = 0x34325258        # 'XR24'
DRM_FORMAT_ARGB8888 = 0x34325241        # 'AR24'
CONSOLE = "/org/qemu/Display1/Console_0"


def die(msg):
    print("dbus_grab: " + msg, file=sys.stderr)
    sys.exit(1)


def qmp_attach(path, fd):
    """Hand @fd to QEMU as a D-Bus display client (QMP getfd, add_client)."""
    qmp = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    qmp.connect(path)
    rd = qmp.makefile("r")

    def cmd(execute, args=None, fds=()):
        msg = {"execute": execute}
        if args:
            msg["arguments"] = args
        socket.send_fds(qmp, [json.dumps(msg).encode()], list(fds))
        while True:
            reply = json.loads(rd.readline())
            if "return" in reply:
                return
            if "error" in reply:
                die("QMP %s: %s" % (execute, reply["error"]["desc"]))

    json.loads(rd.readline())           # the greeting
    cmd("qmp_capabilities")
    cmd("getfd", {"fdname": "dbus_grab"}, [fd])
    cmd("add_client", {"protocol": "@dbus-display", "fdname": "dbus_grab"})
    return qmp


def peer(fd, flags):
    """A peer-to-peer D-Bus connection on socket @fd, we the client."""
    conn = Gio.Socket.new_from_fd(fd).connection_factory_create_connection()
    flags |= Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
    return Gio.DBusConnection.new_sync(conn, None, flags, None, None)


class Listener:
    """org.qemu.Display1.Listener: keeps the scanout, counts updates."""

    def __init__(self):
        self.kind = None                # "dmabuf" once QEMU gave us one
        self.updates = 0
        self.error = None

    def scanout_dmabuf(self, msg, args):
        fd = msg.get_unix_fd_list().get(args[0])
        width, height, stride, fourcc, modifier, y0_top = args[1:]
        self.error = None
        if fourcc not in (DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888) or modifier:
            self.error = "dma-buf format %#x modifier %#x" % (fourcc, modifier)
            return
        self.kind, self.updates = "dmabuf", 0
        self.dmabuf = mmap.mmap(fd, stride * height, mmap.MAP_SHARED, mmap.PROT_READ)
        self.width, self.height, self.stride, self.y0_top = width, height, stride, y0_top

    def call(self, conn, sender, path, iface, method, args, inv):
        if method == "ScanoutDMABUF":
            self.scanout_dmabuf(inv.get_message(), args.unpack())
        elif method == "Scanout":
            # a plain surface (a region instance, or no OpenGL): VNC and
            # screendump show those; the pixels come in the message
            self.kind, self.error = None, "a plain surface, not a dma-buf"
        elif method == "UpdateDMABUF" and self.kind == "dmabuf":
            self.updates += 1
        elif method == "Disable":
            self.kind = None
        inv.return_value(None)

    def prop(self, conn, sender, path, iface, name):
        return GLib.Variant("as", [])

    def ppm(self):
        """The picture as PPM (P6) bytes, top line first."""
        src = self.dmabuf[:]
        rgb = bytearray(self.width * self.height * 3)
        for line in range(self.height):
            # y0_top: the buffer holds its last line first (OpenGL's way)
            row = self.height - 1 - line if self.y0_top else line
            px = src[row * self.stride:row * self.stride + self.width * 4]
            out = line * self.width * 3
            rgb[out:out + self.width * 3:3] = px[2::4]      # XRGB8888 is B, G, R, X
            rgb[out + 1:out + self.width * 3:3] = px[1::4]
            rgb[out + 2:out + self.width * 3:3] = px[0::4]
        return b"P6 %d %d 255\n" % (self.width, self.height) + bytes(rgb)


def register(display, listener):
    """RegisterListener on console 0: a peer connection serving @listener."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    fds = Gio.UnixFDList.new_from_array([theirs.detach()])
    for attempt in range(50):       # QEMU exports the console once it has us
        try:
            display.call_with_unix_fd_list_sync(
                None, CONSOLE, "org.qemu.Display1.Console", "RegisterListener",
                GLib.Variant("(h)", (0,)), None, Gio.DBusCallFlags.NONE, 30000,
                fds, None)
            break
        except GLib.Error as e:
            if attempt == 49 or "UnknownObject" not in str(e.message) and \
               "No such" not in str(e.message):
                die("RegisterListener: " + e.message)
            time.sleep(0.2)
    conn = peer(ours.detach(), Gio.DBusConnectionFlags.DELAY_MESSAGE_PROCESSING)
    info = Gio.DBusNodeInfo.new_for_xml(LISTENER_XML).interfaces[0]
    conn.register_object("/org/qemu/Display1/Listener", info, listener.call,
                         listener.prop, None)
    conn.start_message_processing()
    return conn


def shoot(ctx, listener, path, timeout):
    """Wait for an update after now, then write the picture to @path."""
    listener.updates = 0
    end = time.monotonic() + timeout
    while not listener.error and not (listener.kind and listener.updates):
        if time.monotonic() > end:
            return "no scanout with an update in %g s (%s)" % (
                timeout, listener.kind or "no scanout")
        if not ctx.iteration(False):
            time.sleep(0.01)
    if listener.error:
        return listener.error
    with open(path, "wb") as f:
        f.write(listener.ppm())
    return "ok %s %u %u" % (listener.kind, listener.width, listener.height)


def main():
    if len(sys.argv) not in (2, 3):
        die("usage: dbus_grab.py QMP_SOCKET [TIMEOUT] (then OUT.ppm lines on stdin)")
    timeout = float(sys.argv[2]) if len(sys.argv) == 3 else 60
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    qmp = qmp_attach(sys.argv[1], theirs.fileno())
    theirs.close()
    display = peer(ours.detach(), Gio.DBusConnectionFlags.NONE)
    listener = Listener()
    conn = register(display, listener)
    ctx = GLib.MainContext.default()
    print("ready", flush=True)
    while True:
        while not select.select([sys.stdin], [], [], 0.01)[0]:
            ctx.iteration(False)
        path = sys.stdin.readline().strip()
        if not path:
            break
        print(shoot(ctx, listener, path, timeout), flush=True)
    conn.close_sync(None)
    qmp.close()


if __name__ == "__main__":
    main()
