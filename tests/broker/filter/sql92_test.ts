import assert from "node:assert/strict";
import { evaluateSql92, selects } from "../../../src/broker/filter/sql92_eval.ts";
import { parseSql92 } from "../../../src/broker/filter/sql92_parser.ts";

const PROPS: Record<string, string> = {
  a: "5",
  b: "2.5",
  s: "hello",
  TAGS: "TagA",
  flag: "true",
  big: "3000000000",
  neg: "-7",
  blank: " 1.5 ",
};
const lookup = (name: string) => PROPS[name];

Deno.test("SQL92 selectors evaluate as RocketMQ's do", { permissions: "none" }, () => {
  const cases: [string, boolean | null][] = [
    // comparisons with conversion of the property string to the literal's type
    ["a = 5", true],
    ["a > 4", true],
    ["a >= 5 AND a <= 5", true],
    ["a < 5", false],
    ["a <> 5", false],
    ["a = 5.0", true],
    ["b > 2", null], // Integer.valueOf("2.5") fails, as on Java: write 2.0
    ["b > 2.0", true],
    ["b = 2.5", true],
    ["neg < 0", true],
    ["a > -1", true],
    ["big > 5", null], // Integer.valueOf("3000000000") fails: no match
    ["big > 5000000000", false],
    ["blank > 1", null], // Integer.valueOf(" 1.5 ") fails
    ["blank > 1.0", true], // Double.valueOf trims
    // strings
    ["s = 'hello'", true],
    ["s <> 'world'", true],
    ["s = 'it''s'", false],
    ["TAGS = 'TagA'", true],
    ["a > b", true], // two strings compare as doubles
    ["s > 1", null],
    // BETWEEN and IN
    ["a BETWEEN 1 AND 5", true],
    ["a NOT BETWEEN 1 AND 4", true],
    ["a between 6 and 9", false],
    ["s IN ('hello', 'hi')", true],
    ["s NOT IN ('hello')", false],
    ["TAGS in ('TagB')", false],
    // NULL and three-valued logic
    ["missing IS NULL", true],
    ["a IS NOT NULL", true],
    ["missing = 1", null],
    ["missing > 1 OR a = 5", true],
    ["missing > 1 AND a = 5", null],
    ["missing > 1 AND a = 6", false],
    ["NOT (missing > 1)", null],
    ["missing IN ('x')", null],
    // booleans
    ["TRUE", true],
    ["FALSE OR a = 5", true],
    ["NOT a = 5", false],
    ["flag = TRUE", true],
    ["flag", false], // a property used as a condition is never a boolean
    ["(a = 5 OR s = 'x') AND NOT (TAGS = 'TagB')", true],
    ["NOT TAGS = 'TagB'", null], // NOT binds tighter than =, as in RocketMQ's grammar
    ["a=5 -- a comment\n AND s='hello'", true],
    ["/* block */ a = 5", true],
    ["a = 5L", true],
  ];
  for (const [expr, want] of cases) {
    let got: boolean | null;
    try {
      got = evaluateSql92(parseSql92(expr), lookup);
    } catch {
      got = null; // An evaluation error: RocketMQ does not select the message.
    }
    assert.equal(got, want, expr);
    assert.equal(selects(parseSql92(expr), lookup), want === true, expr);
  }
});

Deno.test(
  "SQL92 selectors RocketMQ refuses are refused, with its reasons",
  { permissions: "none" },
  () => {
    const bad: [string, RegExp][] = [
      ["", /Encountered the end/],
      ["a >", /Encountered the end/],
      ["a = ", /Encountered the end/],
      ["a == 5", /Encountered "="/],
      ["a > 'x'", /Value ''x'' cannot be compared/],
      ["a > TRUE", /Value 'TRUE' cannot be compared/],
      ["a = NULL", /'NULL' cannot be compared/],
      ["TRUE = 'x'", /'TRUE' cannot be compared with ''x''/],
      ["5", /Expression will not result in a boolean value: 5/],
      ["'x' AND a = 1", /will not result in a boolean value/],
      ["a BETWEEN 5 AND 1", /Illegal values of between/],
      ["a BETWEEN NULL AND 1", /values can not be null/],
      ["5 IN ('a')", /Expected a property for In expression/],
      ["a IN (1, 2)", /expected a string literal/],
      ["a.b = 1", /Unexpected character "\."/],
      ["s = 'open", /Unterminated string literal/],
      ["a = 0.0", /0\.0 is less than 4\.9E-324/],
      ["a = 99999999999999999999", /For input string/],
      ["a = 1 b = 2", /Encountered "b", expected the end at position 7/],
    ];
    for (const [expr, re] of bad) {
      assert.throws(
        () => parseSql92(expr),
        (e: unknown) => e instanceof SyntaxError && re.test(e.message),
        expr,
      );
    }
  },
);
