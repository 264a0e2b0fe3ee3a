import assert from "node:assert/strict";
import {
  defaultLocalAddress,
  formatHostPort,
  ipv4Bytes,
  parseAddrList,
  parseHostPort,
} from "../../src/common/address.ts";
import { formatSocketAddress, socketAddressOf } from "../../src/common/message/socket_address.ts";

function test(name: string, fn: () => void) {
  Deno.test({ name, permissions: "none", fn });
}

test("parseHostPort() splits at the last colon and strips IPv6 brackets", () => {
  assert.deepEqual(parseHostPort("127.0.0.1:9876"), { host: "127.0.0.1", port: 9876 });
  assert.deepEqual(parseHostPort("broker-a.local:10911"), { host: "broker-a.local", port: 10911 });
  assert.deepEqual(parseHostPort("[::1]:10911"), { host: "::1", port: 10911 });
  assert.deepEqual(parseHostPort("fe80::1:10911"), { host: "fe80::1", port: 10911 });
  assert.equal(formatHostPort("127.0.0.1", 9876), "127.0.0.1:9876");
});

test("parseHostPort() rejects a missing or bad port with a SyntaxError", () => {
  for (
    const bad of [
      "localhost",
      ":9876",
      "host:",
      "host:abc",
      "host:65536",
      "host:-1",
      "host:1.5",
      "host: 80",
      "host:0x50",
      "host:1e3",
    ]
  ) {
    assert.throws(() => parseHostPort(bad), SyntaxError, bad);
  }
});

test("ipv4Bytes() reads dotted quads, also IPv4-mapped IPv6", () => {
  assert.deepEqual(ipv4Bytes("192.168.0.10"), new Uint8Array([192, 168, 0, 10]));
  assert.deepEqual(ipv4Bytes("::ffff:10.0.0.2"), new Uint8Array([10, 0, 0, 2]));
  assert.deepEqual(ipv4Bytes("::FFFF:10.0.0.2"), new Uint8Array([10, 0, 0, 2]));
  for (
    const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", "::1", "1.2.3.-4", "1234.1.1.1"]
  ) {
    assert.equal(ipv4Bytes(bad), undefined, bad);
  }
});

test("parseAddrList() splits a namesrv list on ; , and spaces", () => {
  assert.deepEqual(parseAddrList("a:9876;b:9876"), ["a:9876", "b:9876"]);
  assert.deepEqual(parseAddrList(" a:1 , b:2;; c:3 "), ["a:1", "b:2", "c:3"]);
  assert.deepEqual(parseAddrList(""), []);
  assert.deepEqual(parseAddrList(undefined), []);
});

Deno.test("defaultLocalAddress() gives a dotted IPv4 address", () => {
  assert.ok(ipv4Bytes(defaultLocalAddress()), defaultLocalAddress());
});

test("socketAddressOf() gives 4 bytes for IPv4 (mapped too) and 16 for IPv6", () => {
  assert.deepEqual(socketAddressOf("10.0.0.2:10911"), {
    ip: new Uint8Array([10, 0, 0, 2]),
    port: 10911,
  });
  assert.deepEqual(socketAddressOf("::ffff:127.0.0.1", 80), {
    ip: new Uint8Array([127, 0, 0, 1]),
    port: 80,
  });
  const loop = new Uint8Array(16);
  loop[15] = 1;
  assert.deepEqual(socketAddressOf("[::1]:10911"), { ip: loop, port: 10911 });
  const full = socketAddressOf("2001:db8:0:0:0:0:2:1", 1).ip;
  assert.equal(formatSocketAddress({ ip: full, port: 1 }), "2001:db8:0:0:0:0:2:1:1");
  assert.deepEqual(socketAddressOf("2001:db8::2:1", 1).ip, full);
  assert.deepEqual(socketAddressOf("fe80::1%eth0", 1).ip, socketAddressOf("fe80::1", 1).ip);
  for (const bad of ["localhost:80", "gggg::1:80", "1:2:3:4:5:6:7:8:9:80"]) {
    assert.throws(() => socketAddressOf(bad), SyntaxError, bad);
  }
});

test("formatSocketAddress() writes ip:port", () => {
  assert.equal(
    formatSocketAddress({ ip: new Uint8Array([10, 0, 0, 2]), port: 10911 }),
    "10.0.0.2:10911",
  );
  const ip = new Uint8Array(16);
  ip[0] = 0xfe;
  ip[1] = 0x80;
  ip[15] = 2;
  assert.equal(formatSocketAddress({ ip, port: 1 }), "fe80:0:0:0:0:0:0:2:1");
});
