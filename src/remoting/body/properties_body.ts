/**
 * Java properties text: the body of UPDATE_NAMESRV_CONFIG / GET_NAMESRV_CONFIG (and the
 * broker's UPDATE_BROKER_CONFIG / GET_BROKER_CONFIG). One `key=value` per line, written the
 * way Java's MixAll.properties2String writes it:
 *   listenPort=9876\n
 *   orderMessageEnable=false\n
 * Reading accepts what java.util.Properties.load accepts in practice: `=`, `:` or blanks as
 * the separator, `#`/`!` comment lines, blank lines, `\` line continuations and the usual
 * backslash escapes.
 */
import { textDecoder, textEncoder } from "../../common/bytes.ts";

export function encodeProperties(entries: Iterable<[string, string]>): Uint8Array {
  let text = "";
  for (const [k, v] of entries) text += `${k}=${v}\n`;
  return textEncoder.encode(text);
}

export function decodeProperties(body: Uint8Array): Map<string, string> {
  return parsePropertiesText(textDecoder.decode(body));
}

export function parsePropertiesText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, "");
    if (line === "" || line[0] === "#" || line[0] === "!") continue;
    // A line ending in an odd number of backslashes continues on the next one.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, "");
    }
    const m = /^((?:\\.|[^=:\s\\])*)[ \t\f]*(?:[=:][ \t\f]*)?(.*)$/s.exec(line);
    if (!m) continue;
    out.set(unescape(m[1]), unescape(m[2]));
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case "t":
        return "\t";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "f":
        return "\f";
      case "u":
        return e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : "u";
      default:
        return e;
    }
  });
}
