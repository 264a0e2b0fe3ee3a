import { decodeCheckpoint } from "/work/main/src/store/checkpoint.ts";
console.log(decodeCheckpoint(Deno.readFileSync(Deno.args[0] + "/checkpoint")));
