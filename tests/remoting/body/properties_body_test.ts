import assert from "node:assert/strict";
import { textDecoder } from "../../../src/common/bytes.ts";
import {
  encodeProperties,
  parsePropertiesText,
} from "../../../src/remoting/body/properties_body.ts";

Deno.test("encodeProperties() writes key=value lines", { permissions: "none" }, () => {
  assert.equal(textDecoder.decode(encodeProperties([["a", "1"], ["b", "x y"]])), "a=1\nb=x y\n");
});

Deno.test(
  "parsePropertiesText() reads what java.util.Properties reads",
  { permissions: "none" },
  () => {
    const text = [
      "# comment",
      "! also a comment",
      "",
      "  listenPort = 9876",
      "orderMessageEnable:true",
      "name value with spaces",
      "multi=first \\",
      "   second",
      "escaped\\=key=a\\tb",
      "empty=",
      "bare",
    ].join("\r\n");
    assert.deepEqual(
      parsePropertiesText(text),
      new Map([
        ["listenPort", "9876"],
        ["orderMessageEnable", "true"],
        ["name", "value with spaces"],
        ["multi", "first second"],
        ["escaped=key", "a\tb"],
        ["empty", ""],
        ["bare", ""],
      ]),
    );
  },
);
