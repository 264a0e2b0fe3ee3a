import assert from "node:assert/strict";
import { textDecoder, textEncoder } from "../../../src/common/bytes.ts";
import {
  decodeConsumerIdList,
  decodeGroupList,
  encodeConsumerIdList,
  encodeGroupList,
} from "../../../src/remoting/body/consumer_list.ts";

Deno.test(
  "GetConsumerListByGroupResponseBody and GroupList round-trip",
  { permissions: "none" },
  () => {
    const ids = '{"consumerIdList":["10.0.0.5@12345#1","10.0.0.6@777"]}';
    assert.equal(
      textDecoder.decode(encodeConsumerIdList(["10.0.0.5@12345#1", "10.0.0.6@777"])),
      ids,
    );
    assert.deepEqual(decodeConsumerIdList(textEncoder.encode(ids)), [
      "10.0.0.5@12345#1",
      "10.0.0.6@777",
    ]);
    const groups = '{"groupList":["g1","g2"]}';
    assert.equal(textDecoder.decode(encodeGroupList(new Set(["g1", "g2"]))), groups);
    assert.deepEqual(decodeGroupList(textEncoder.encode(groups)), ["g1", "g2"]);
  },
);
