/**
 * The dashboard's third-party assets, embedded at build time (raw imports), so a compiled rmq
 * needs nothing beside it: uPlot (a small, fast time-series chart library) for the live charts.
 */
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };

export const ASSETS: ReadonlyMap<string, { body: string; type: string }> = new Map([
  ["/assets/uplot.js", { body: uplotJs, type: "text/javascript; charset=utf-8" }],
  ["/assets/uplot.css", { body: uplotCss, type: "text/css; charset=utf-8" }],
]);
