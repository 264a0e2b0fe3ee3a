/**
 * The dashboard's JSON API: every `rmq admin` command, by name, answering with the same JSON
 * `rmq admin --json` prints. Read-only commands answer GET (flags as query parameters);
 * everything answers POST with the flags as a JSON object (a JSON content type is required, so
 * a plain cross-site form cannot post).
 */
import { errorMessage, UsageError } from "../common/errors.ts";
import type { OptionValues } from "../cli/args.ts";
import { type AdminClient, AdminError } from "../admin/admin_client.ts";
import { ADMIN_COMMANDS } from "../admin/commands/all_commands.ts";

export const API_PREFIX = "/api/";

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** Flags from a query string or JSON object, typed as the command's options say. */
function valuesOf(
  raw: Record<string, unknown>,
  options: Record<string, { type: "string" | "boolean" }>,
): OptionValues {
  const out: OptionValues = {};
  for (const [k, v] of Object.entries(raw)) {
    const spec = options[k];
    if (!spec) throw new UsageError(`unknown flag ${k}`);
    out[k] = spec.type === "boolean" ? v === true || v === "true" || v === "" : String(v);
  }
  return out;
}

export async function handleApi(admin: AdminClient, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const name = url.pathname.slice(API_PREFIX.length);
  if (name === "commands") {
    return json(ADMIN_COMMANDS.map((c) => ({
      name: c.name,
      summary: c.summary,
      usage: c.usage,
      readOnly: c.readOnly === true,
      options: c.options,
    })));
  }
  const cmd = ADMIN_COMMANDS.find((c) => c.name === name);
  if (!cmd) return json({ ok: false, error: `no command ${name}` }, 404);
  let raw: Record<string, unknown>;
  if (req.method === "GET") {
    if (!cmd.readOnly) return json({ ok: false, error: `${name} changes things: POST it` }, 405);
    raw = Object.fromEntries(url.searchParams);
  } else if (req.method === "POST") {
    if (!(req.headers.get("content-type") ?? "").startsWith("application/json")) {
      return json({ ok: false, error: "POST a JSON object (content-type application/json)" }, 415);
    }
    try {
      raw = await req.json();
    } catch (e) {
      return json({ ok: false, error: `not JSON: ${errorMessage(e)}` }, 400);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      return json({ ok: false, error: "POST a JSON object of flags" }, 400);
    }
  } else {
    return json({ ok: false, error: "GET or POST" }, 405);
  }
  try {
    const r = await cmd.run(admin, valuesOf(raw, cmd.options));
    return json({ ok: true, result: r.json, table: r.table, notes: r.notes });
  } catch (e) {
    if (e instanceof UsageError) return json({ ok: false, error: e.message }, 400);
    if (e instanceof AdminError) return json({ ok: false, error: e.message, code: e.code }, 502);
    return json({ ok: false, error: errorMessage(e) }, 502);
  }
}
