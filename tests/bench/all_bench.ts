/**
 * `deno task bench`: every shipped micro-benchmark (frame codec, remoting round trips, store,
 * broker send and pull paths, producer and consumer) and a short end-to-end run through an
 * in-process `rmq dev`, as one table. Each file also runs alone with `deno bench -A <file>`.
 */
import "./remoting_bench.ts";
import "./store_bench.ts";
import "./broker_send_bench.ts";
import "./broker_pull_bench.ts";
import "./producer_bench.ts";
import "./consumer_bench.ts";
import "./e2e_bench.ts";
