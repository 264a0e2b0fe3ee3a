/**
 * `rmq dashboard`: a web UI over the remoting protocol (works against Java clusters too): one
 * page, the JSON API beside it, the chart library embedded, and `/metrics` for the cluster.
 */
import { errorMessage } from "../common/errors.ts";
import { logger } from "../common/log.ts";
import { AdminClient, type AdminClientOptions } from "../admin/admin_client.ts";
import { ASSETS } from "./assets.ts";
import { API_PREFIX, handleApi } from "./dashboard_api.ts";
import { PAGE } from "./page.ts";
import { ClusterMetrics } from "./cluster_metrics.ts";

const log = logger("dashboard");

export class DashboardServer implements AsyncDisposable {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #admin: AdminClient;
  readonly #metrics: ClusterMetrics;

  constructor(admin: AdminClientOptions, hostname: string, port: number) {
    this.#admin = new AdminClient(admin);
    this.#metrics = new ClusterMetrics(this.#admin);
    this.#server = Deno.serve({ hostname, port, onListen: () => {} }, (req) => this.#handle(req));
    log.info("Dashboard on {url}", { url: this.url });
  }

  get addr(): Deno.NetAddr {
    return this.#server.addr;
  }

  /** `http://host:port/` (127.0.0.1 when bound to every interface). */
  get url(): string {
    const { hostname, port } = this.#server.addr;
    const host = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
    return `http://${host}:${port}/`;
  }

  #handle(req: Request): Response | Promise<Response> {
    const path = new URL(req.url).pathname;
    if (path.startsWith(API_PREFIX)) return handleApi(this.#admin, req);
    if (path === "/metrics") return this.#scrape();
    const asset = ASSETS.get(path);
    if (asset) {
      return new Response(asset.body, {
        headers: { "content-type": asset.type, "cache-control": "max-age=86400" },
      });
    }
    if (path === "/" || path === "/index.html") {
      return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    return new Response("not found\n", { status: 404 });
  }

  async #scrape(): Promise<Response> {
    try {
      return new Response(await this.#metrics.text(), {
        headers: { "content-type": this.#metrics.contentType },
      });
    } catch (e) {
      return new Response(`# cannot read the cluster: ${errorMessage(e)}\n`, { status: 502 });
    }
  }

  async shutdown(): Promise<void> {
    await this.#server.shutdown();
    await this.#admin.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}
