import assert from "node:assert/strict";
import { AclError } from "../../src/acl/acl_error.ts";
import { hostOf, parseAddressPattern } from "../../src/acl/address_pattern.ts";

const cases: [string, string[], string[]][] = [
  // pattern, matching hosts, other hosts
  ["", [], ["127.0.0.1", "::1"]],
  ["*", ["127.0.0.1", "10.1.2.3", "::1"], []],
  ["*.*.*.*", ["192.168.0.1"], []],
  ["*:*:*:*:*:*:*:*", ["::1"], []],
  ["192.168.0.1", ["192.168.0.1"], ["192.168.0.2", "::1"]],
  ["192.168.0.1,10.0.0.2", ["192.168.0.1", "10.0.0.2"], ["10.0.0.1"]],
  ["192.168.1.{1,2,3}", ["192.168.1.2"], ["192.168.1.4", "192.168.2.1"]],
  ["192.168.1.*", ["192.168.1.0", "192.168.1.255"], ["192.168.2.1"]],
  ["192.168.*", ["192.168.7.9"], ["192.169.0.1"]],
  ["192.168.1.1-100", ["192.168.1.1", "192.168.1.100"], ["192.168.1.101", "192.168.1.0"]],
  ["192.168.1-10.*", ["192.168.5.77"], ["192.168.11.1"]],
  ["10.*.*.*", ["10.0.0.1"], ["11.0.0.1"]],
  ["::1", ["::1", "0:0:0:0:0:0:0:1"], ["::2", "127.0.0.1"]],
  ["2001:db8::{1,2}", ["2001:db8::2", "2001:0DB8:0:0:0:0:0:1"], ["2001:db8::3"]],
  ["2001:db8:0:0:0:0:0:*", ["2001:db8::ffff"], ["2001:db9::1"]],
  ["2001:db8::1-ff", ["2001:db8::ff"], ["2001:db8::100"]],
  ["2001:db8::1-ff:*", ["2001:db8::5:1234"], ["2001:db8::100:1"]],
];

Deno.test("every address pattern form RocketMQ accepts", () => {
  for (const [pattern, yes, no] of cases) {
    const m = parseAddressPattern(pattern);
    for (const h of yes) assert.ok(m(h), `${pattern} should match ${h}`);
    for (const h of no) assert.ok(!m(h), `${pattern} should not match ${h}`);
  }
});

Deno.test("bad patterns are refused with RocketMQ's wording", () => {
  for (const bad of ["300.1.1.1", "192.168.1.5-2", "192.168.1.-2", "hello", "1.2.{3}", "1::2::3"]) {
    assert.throws(() => parseAddressPattern(bad), AclError, bad);
  }
});

Deno.test("hostOf drops the port, IPv6 included", () => {
  assert.equal(hostOf("10.0.0.1:10911"), "10.0.0.1");
  assert.equal(hostOf("::1:10911"), "::1");
});
