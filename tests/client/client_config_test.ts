import assert from "node:assert/strict";
import {
  buildClientId,
  CLIENT_DEFAULTS,
  resolveClientConfig,
} from "../../src/client/client_config.ts";
import { SerializeType } from "../../src/remoting/command.ts";

Deno.test(
  {
    name: "resolveClientConfig() fills Java's defaults and a <pid>#<time> instance name",
    permissions: { sys: true },
  },
  () => {
    const c = resolveClientConfig({
      namesrvAddr: "10.0.0.1:9876; 10.0.0.2:9876",
      clientIP: "10.0.0.5",
    });
    assert.deepEqual(c.namesrvAddrs, ["10.0.0.1:9876", "10.0.0.2:9876"]);
    assert.equal(c.pollNameServerIntervalMs, CLIENT_DEFAULTS.pollNameServerIntervalMs);
    assert.equal(c.pollNameServerIntervalMs, 30_000);
    assert.equal(c.heartbeatBrokerIntervalMs, 30_000);
    assert.equal(c.mqClientApiTimeoutMs, 3_000);
    assert.equal(c.serializeType, SerializeType.JSON);
    assert.match(c.instanceName, new RegExp(`^${Deno.pid}#\\d+$`));
    assert.match(buildClientId(c), new RegExp(`^10\\.0\\.0\\.5@${Deno.pid}#\\d+$`));
    // Each default-named client gets its own instance name.
    const d = resolveClientConfig({
      namesrvAddr: "a:1",
      clientIP: "10.0.0.5",
      instanceName: "DEFAULT",
    });
    assert.notEqual(d.instanceName, c.instanceName);
  },
);

Deno.test(
  { name: "buildClientId() is <ip>@<instanceName>[@<unitName>]", permissions: "none" },
  () => {
    const c = resolveClientConfig({
      namesrvAddr: "a:1",
      clientIP: "10.0.0.5",
      instanceName: "orders",
      unitName: "u1",
      serializeType: "ROCKETMQ",
    });
    assert.equal(buildClientId(c), "10.0.0.5@orders@u1");
    assert.equal(c.serializeType, SerializeType.ROCKETMQ);
  },
);

Deno.test(
  {
    name: "resolveClientConfig() refuses no name server, bad intervals and serialize types",
    permissions: "none",
  },
  () => {
    assert.throws(() => resolveClientConfig({ namesrvAddr: " ; " }), {
      name: "TypeError",
      message: "Cannot create client: no name server address (set namesrvAddr)",
    });
    assert.throws(
      () => resolveClientConfig({ namesrvAddr: "a:1", clientIP: "x", pollNameServerIntervalMs: 0 }),
      { name: "RangeError", message: /pollNameServerIntervalMs 0/ },
    );
    assert.throws(
      () =>
        resolveClientConfig({
          namesrvAddr: "a:1",
          clientIP: "x",
          serializeType: "XML" as "JSON",
        }),
      { name: "TypeError", message: /serializeType "XML"/ },
    );
  },
);
