/**
 * What an admin command returns and how it is shown: aligned columns sized to their content
 * (not mqadmin's fixed 32), or with --json one JSON document.
 */
export interface AdminResult {
  /** The machine-readable answer (--json). */
  json: unknown;
  /** Rows for people; the first is the header. */
  table?: string[][];
  /** Lines printed after the table (totals, what was done). */
  notes?: string[];
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "";
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, [...cell].length));
  }
  return rows.map((row) =>
    row.map((cell, i) =>
      i === row.length - 1 ? cell : cell + " ".repeat(widths[i] - [...cell].length)
    )
      .join("  ").trimEnd()
  ).join("\n");
}

export function renderResult(r: AdminResult, json: boolean): string {
  if (json) return JSON.stringify(r.json, null, 2);
  const parts: string[] = [];
  if (r.table) parts.push(renderTable(r.table));
  if (r.notes) parts.push(...r.notes);
  return parts.join("\n");
}

/** `YYYY-MM-DD HH:mm:ss` (UTC) for a ms timestamp; "-" for none. */
export function formatTime(ms: number): string {
  return ms > 0 ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "-";
}
