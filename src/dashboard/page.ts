/**
 * The dashboard page: plain HTML and script over the JSON API (tables are the rows `rmq admin`
 * prints; charts are uPlot). One file, no build step, a few KiB.
 */
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rmq dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/uplot.css">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
 header{background:#1f3a5f;color:#fff;padding:10px 16px;display:flex;gap:16px;align-items:center}
 header b{font-size:16px} nav button{background:none;border:0;color:#cfe0f5;font:inherit;cursor:pointer;padding:6px 10px}
 nav button.on{color:#fff;border-bottom:2px solid #fff} main{padding:16px} section{display:none} section.on{display:block}
 table{border-collapse:collapse;background:#fff;margin:8px 0;min-width:40%} th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;white-space:nowrap}
 th{background:#eef1f5} tr.pick{cursor:pointer} tr.pick:hover{background:#f0f6ff}
 form{background:#fff;border:1px solid #dde1e6;padding:8px;margin:8px 0;display:flex;gap:8px;flex-wrap:wrap;align-items:center}
 input{padding:4px} .err{color:#b00020} .note{color:#555} h3{margin:16px 0 4px}
</style></head><body>
<header><b>rmq dashboard</b><nav>
 <button data-tab="cluster" class="on">Cluster</button><button data-tab="topics">Topics</button>
 <button data-tab="groups">Groups</button><button data-tab="messages">Messages</button></nav>
 <span id="status" class="note"></span></header>
<main>
<section id="cluster" class="on"><h3>Brokers</h3><div id="brokers"></div><div id="brokerDetail"></div><h3>Throughput (msg/s)</h3><div id="tpsChart"></div></section>
<section id="topics">
 <form id="createTopic"><b>New topic</b><input name="topic" placeholder="topic" required>
  <input name="cluster" placeholder="cluster" value="DefaultCluster" required>
  <input name="read-queues" placeholder="queues" value="8" size="4"><button>Create</button></form>
 <div id="topicList"></div><div id="topicDetail"></div></section>
<section id="groups">
 <form id="groupForm"><b>Group</b><input name="group" placeholder="consumer group" required><button>Show</button></form>
 <div id="groupList"></div><div id="groupDetail"></div><div id="lagChart"></div>
 <form id="resetForm"><b>Reset offsets</b><input name="topic" placeholder="topic" required>
  <input name="timestamp" type="datetime-local" step="1" required>
  <button name="preview" value="1">Preview</button><button name="apply" value="1">Apply</button>
  <button name="skip" value="1" formnovalidate>Skip backlog</button></form>
 <div id="resetResult"></div></section>
<section id="messages">
 <form id="byKey"><b>By key</b><input name="topic" placeholder="topic" required><input name="key" placeholder="key" required><button>Find</button></form>
 <form id="byId"><b>By id</b><input name="msgId" placeholder="offsetMsgId" size="36" required><button>Find</button></form>
 <form id="byTime"><b>By time</b><input name="topic" placeholder="topic" required><input name="begin" type="datetime-local" step="1">
  <input name="end" type="datetime-local" step="1"><button>List</button></form>
 <form id="byQueue"><b>By queue</b><input name="topic" placeholder="topic" required><input name="brokerName" placeholder="broker" required>
  <input name="queueId" placeholder="queue" size="4" value="0" required><input name="begin" type="datetime-local" step="1">
  <input name="end" type="datetime-local" step="1"><button>List</button></form>
 <div id="messageResult"></div></section>
</main>
<script src="/assets/uplot.js"></script>
<script>
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
async function api(name, flags = {}, post = false) {
  const res = post
    ? await fetch("/api/" + name, {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(flags)})
    : await fetch("/api/" + name + "?" + new URLSearchParams(flags));
  const body = await res.json();
  if (!body.ok) throw new Error(body.error);
  return body;
}
function table(rows, pick) {
  if (!rows || rows.length === 0) return "";
  const [head, ...rest] = rows;
  return "<table><tr>" + head.map((h) => "<th>" + esc(h) + "</th>").join("") + "</tr>" +
    rest.map((r, i) => "<tr" + (pick ? ' class="pick" data-row="' + i + '"' : "") + ">" +
      r.map((c) => "<td>" + esc(c) + "</td>").join("") + "</tr>").join("") + "</table>";
}
function show(el, r) {
  el.innerHTML = table(r.table) + (r.notes || []).map((n) => '<div class="note">' + esc(n) + "</div>").join("");
}
function fail(el, e) { el.innerHTML = '<div class="err">' + esc(e.message) + "</div>"; }
const ms = (v) => v ? String(new Date(v).getTime()) : undefined;
function flagsOf(form, names) {
  const f = {}; for (const n of names) { const v = form.elements[n]?.value; if (v) f[n] = v; } return f;
}
document.querySelectorAll("nav button").forEach((b) => b.onclick = () => {
  document.querySelectorAll("nav button, section").forEach((x) => x.classList.remove("on"));
  b.classList.add("on"); $("#" + b.dataset.tab).classList.add("on");
  if (b.dataset.tab === "topics") loadTopics();
  if (b.dataset.tab === "groups") loadGroups();
});
function chart(el, labels) {
  const data = [[], ...labels.map(() => [])];
  const plot = new uPlot({width: 640, height: 200, series: [{}, ...labels.map((l, i) => ({label: l, stroke: ["#1f77b4", "#d62728"][i]}))]}, data, el);
  return (values) => { data[0].push(Date.now() / 1000); values.forEach((v, i) => data[i + 1].push(v));
    if (data[0].length > 120) data.forEach((d) => d.shift()); plot.setData(data); };
}
const tps = chart($("#tpsChart"), ["in", "out"]);
async function loadCluster() {
  try {
    const r = await api("clusterList");
    $("#brokers").innerHTML = table(r.table, true);
    $("#brokers").querySelectorAll("tr.pick").forEach((tr) => tr.onclick = async () => {
      const b = r.result[Number(tr.dataset.row)];
      try { const s = await api("brokerStatus", {broker: b.addr});
        $("#brokerDetail").innerHTML = "<h3>" + esc(b.broker + " " + b.addr) + "</h3>" + table(s.table); }
      catch (e) { fail($("#brokerDetail"), e); } });
    const num = (x) => Number.isFinite(Number(x)) ? Number(x) : 0;
    tps([r.result.reduce((s, b) => s + num(b.inTps), 0), r.result.reduce((s, b) => s + num(b.outTps), 0)]);
    $("#status").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) { fail($("#brokers"), e); }
}
async function loadTopics() {
  try {
    const r = await api("topicList");
    $("#topicList").innerHTML = table(r.table, true);
    $("#topicList").querySelectorAll("tr.pick").forEach((tr) => tr.onclick = () => topicDetail(r.result[Number(tr.dataset.row)]));
  } catch (e) { fail($("#topicList"), e); }
}
async function topicDetail(topic) {
  const el = $("#topicDetail");
  try {
    const [route, status] = await Promise.all([api("topicRoute", {topic}), api("topicStatus", {topic})]);
    el.innerHTML = "<h3>" + esc(topic) + "</h3>" + table(route.table) + table(status.table) +
      '<form id="sendForm"><b>Send a test message</b><input name="body" value="hello from the dashboard"><button>Send</button></form><div id="sendResult"></div>' +
      '<button id="deleteTopic">Delete topic</button>';
    $("#sendForm").onsubmit = async (ev) => { ev.preventDefault();
      try { show($("#sendResult"), await api("sendMessage", {topic, body: ev.target.elements.body.value}, true)); } catch (e) { fail($("#sendResult"), e); } };
    $("#deleteTopic").onclick = async () => { if (!confirm("Delete " + topic + "?")) return;
      try { await api("deleteTopic", {topic, cluster: route.result.brokerDatas[0]?.cluster ?? "DefaultCluster"}, true); el.innerHTML = ""; loadTopics(); } catch (e) { fail(el, e); } };
  } catch (e) { fail(el, e); }
}
$("#createTopic").onsubmit = async (ev) => { ev.preventDefault();
  const f = flagsOf(ev.target, ["topic", "cluster", "read-queues"]); f["write-queues"] = f["read-queues"];
  try { await api("updateTopic", f, true); ev.target.reset(); loadTopics(); topicDetail(f.topic); } catch (e) { fail($("#topicDetail"), e); } };
let lag = null, group = null;
async function loadGroup() {
  if (!group) return;
  try {
    const [p, c] = await Promise.all([api("consumerProgress", {group}), api("consumerConnection", {group}).catch((e) => ({table: [["Clients"], [/CONSUMER_NOT_ONLINE/.test(e.message) ? "none online" : e.message]]}))]);
    $("#groupDetail").innerHTML = "<h3>" + esc(group) + "</h3>" + table(p.table) + (p.notes || []).map((n) => '<div class="note">' + esc(n) + "</div>").join("") + "<h3>Clients</h3>" + table(c.table);
    if (!lag) lag = chart($("#lagChart"), ["lag"]);
    lag([p.result.diffTotal]);
  } catch (e) { fail($("#groupDetail"), e); }
}
$("#groupForm").onsubmit = (ev) => { ev.preventDefault(); group = ev.target.elements.group.value; loadGroup(); };
async function loadGroups() {
  try {
    const r = await api("consumerProgress");
    $("#groupList").innerHTML = table(r.table, true);
    $("#groupList").querySelectorAll("tr.pick").forEach((tr) => tr.onclick = () => {
      group = r.result[Number(tr.dataset.row)].group; $("#groupForm").elements.group.value = group; lag = null; $("#lagChart").innerHTML = ""; loadGroup(); });
  } catch (e) { fail($("#groupList"), e); }
}
$("#resetForm").onsubmit = async (ev) => { ev.preventDefault();
  const f = ev.target, action = ev.submitter?.name, topic = f.elements.topic.value;
  try {
    if (action === "skip") show($("#resetResult"), await api("skipAccumulatedMessage", {group, topic}, true));
    else show($("#resetResult"), await api("resetOffsetByTime", {group, topic, timestamp: ms(f.elements.timestamp.value), "dry-run": action === "preview"}, true));
    loadGroup();
  } catch (e) { fail($("#resetResult"), e); } };
$("#byKey").onsubmit = async (ev) => { ev.preventDefault();
  try { show($("#messageResult"), await api("queryMsgByKey", flagsOf(ev.target, ["topic", "key"]))); } catch (e) { fail($("#messageResult"), e); } };
$("#byId").onsubmit = async (ev) => { ev.preventDefault();
  const msgId = ev.target.elements.msgId.value;
  try {
    const r = await api("queryMsgById", {msgId}); show($("#messageResult"), r);
    if (String(r.result.Topic).startsWith("%DLQ%")) {
      const b = document.createElement("button"); b.id = "resend"; b.textContent = "Resend to its topic";
      b.onclick = async () => { try { show($("#messageResult"), await api("resendMessage", {msgId}, true)); } catch (e) { fail($("#messageResult"), e); } };
      $("#messageResult").appendChild(b);
    }
  } catch (e) { fail($("#messageResult"), e); } };
$("#byTime").onsubmit = async (ev) => { ev.preventDefault();
  const f = flagsOf(ev.target, ["topic"]);
  const b = ms(ev.target.elements.begin.value), e2 = ms(ev.target.elements.end.value);
  if (b) f.begin = b; if (e2) f.end = e2;
  try { show($("#messageResult"), await api("printMsg", f)); } catch (e) { fail($("#messageResult"), e); } };
$("#byQueue").onsubmit = async (ev) => { ev.preventDefault();
  const f = flagsOf(ev.target, ["topic", "brokerName", "queueId"]);
  const b = ms(ev.target.elements.begin.value), e2 = ms(ev.target.elements.end.value);
  if (b) f.begin = b; if (e2) f.end = e2;
  try { show($("#messageResult"), await api("printMsgByQueue", f)); } catch (e) { fail($("#messageResult"), e); } };
loadCluster(); setInterval(loadCluster, 5000); setInterval(loadGroup, 5000);
</script></body></html>
`;
