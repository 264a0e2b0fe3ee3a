/**
 * A free port P on 127.0.0.1 such that P + each of `neighbours` is free too: a broker's HA port
 * is listenPort + 1, its VIP channel listenPort − 2.
 */
export function freePortPair(neighbours: readonly number[] = [1]): number {
  for (let i = 0; i < 100; i++) {
    const a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (a.addr as Deno.NetAddr).port;
    try {
      for (const n of neighbours) {
        if (port + n <= 0 || port + n > 65535) throw new RangeError("out of range");
        Deno.listen({ hostname: "127.0.0.1", port: port + n }).close();
      }
      return port;
    } catch {
      // Taken: try another.
    } finally {
      a.close();
    }
  }
  throw new Error(`Cannot find a free port with free neighbours ${neighbours.join(", ")}`);
}
