/**
 * The broker's HTTP side door (metricsExporterType = "PROM"): `GET /metrics` in Prometheus text,
 * `GET /health` as JSON, 200 when the store takes writes and a name server has accepted the
 * broker's registration, else 503.
 */
import { logger } from "../../common/log.ts";
import type { BrokerMetrics } from "./broker_metrics.ts";

const log = logger("broker", "metrics");

export class MetricsServer implements AsyncDisposable {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  constructor(metrics: BrokerMetrics, hostname: string, port: number) {
    this.#server = Deno.serve({ hostname, port, onListen: () => {} }, async (req) => {
      const path = new URL(req.url).pathname;
      if (req.method !== "GET") return new Response("GET only\n", { status: 405 });
      if (path === "/metrics") {
        return new Response(await metrics.text(), {
          headers: { "content-type": metrics.contentType },
        });
      }
      if (path === "/health") {
        const h = metrics.health();
        return Response.json(h, { status: h.up ? 200 : 503 });
      }
      return new Response("not found: try /metrics or /health\n", { status: 404 });
    });
    log.info("Metrics on http://{host}:{port}/metrics", {
      host: hostname,
      port: this.addr.port,
    });
  }

  get addr(): Deno.NetAddr {
    return this.#server.addr;
  }

  async shutdown(): Promise<void> {
    await this.#server.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}
