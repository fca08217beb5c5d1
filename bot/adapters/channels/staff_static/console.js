/* 12345 座席控制台：边听边记，分析随输入更新（只分析来电人的话）；一次性告知的话术；可编辑的工单；
   一键开协调单（XT）、提级单（TJ）或短信发送指引。整通电话保存在本标签页（sessionStorage），刷新不丢。 */
(function () {
  "use strict";
  var S = window.Staff, el = S.el;
  var API = "/webhooks/assist/console/";
  var KEY = "shouzi.console.call";
  var FIELDS = ["name", "town", "request_type", "department", "rejecting_tier", "ground", "summary"];
  var main = document.getElementById("main"), error = document.getElementById("error");
  var text = document.getElementById("call-text"), form = document.getElementById("order");
  var phone = document.getElementById("o-phone"), busy = document.getElementById("analysing");
  var call = null, timer = null, inflight = null, asrTimer = null, seq = 0, last = null;

  function newId() {
    var a = new Uint8Array(12); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function fresh() { return { id: newId(), started: new Date().toISOString(), text: "", order: {}, edited: {}, phone: "", records: [], asr: false, after: 0 }; }
  function persist() { try { sessionStorage.setItem(KEY, JSON.stringify(call)); } catch (e) { /* storage full: keep working */ } }
  function restore() {
    try { call = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { call = null; }
    if (!call || !call.id) call = fresh();
  }
  function masked(p) { return p && p.length >= 7 ? p.slice(0, 3) + "****" + p.slice(-4) : p || ""; }

  function showCall() {
    document.getElementById("call-id").textContent = "来电编号 " + call.id.slice(0, 8) + " · 开始于 " + S.date(call.started);
    text.value = call.text;
    FIELDS.forEach(function (f) { if (form[f] && call.order[f] !== undefined) form[f].value = call.order[f]; });
    phone.value = document.activeElement === phone ? call.phone : masked(call.phone);
    document.getElementById("asr").checked = !!call.asr;
    readout();
  }

  // ---- analysis as the agent types ----
  function schedule() { clearTimeout(timer); timer = setTimeout(analyse, 350); }
  function analyse() {
    var said = text.value.trim();
    if (!said) { busy.textContent = ""; return; }
    if (inflight) inflight.abort();
    inflight = new AbortController();
    var mine = ++seq;
    busy.textContent = "分析中…";
    var s = S.load();
    fetch(API + "analyze", { method: "POST", signal: inflight.signal, cache: "no-store",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + (s && s.token) },
      body: JSON.stringify({ text: said, town: form.town.value || undefined }) }).then(function (res) {
      return res.json().then(function (data) { return { status: res.status, ok: res.ok, data: data }; });
    }).then(function (r) {
      if (mine !== seq) return;
      if (r.status === 401) { S.start(); return; }
      if (!r.ok) { busy.textContent = ""; error.textContent = S.message(r); return; }
      error.textContent = "";
      last = r.data;
      render(r.data);
      busy.textContent = "分析已更新（" + new Date().toLocaleTimeString("zh-CN") + "）";
    }, function (e) { if (e.name !== "AbortError") busy.textContent = "暂时无法分析，请稍后继续输入或检查网络。"; });
  }

  function render(d) {
    document.getElementById("request-type").textContent = d.request_type_name || d.request_type;
    document.getElementById("request-type").setAttribute("data-value", d.request_type);
    var depts = document.getElementById("departments"); depts.textContent = "";
    d.departments.slice(0, 3).forEach(function (x) {
      depts.appendChild(el("li", { cls: "dept", "data-code": x.code }, [el("strong", { text: x.name }),
        " " + Math.round(x.score * 100) + "%", el("br"),
        el("span", { cls: "muted", text: "依据：" }), el("span", {}, x.evidence.map(function (e) { return el("span", { cls: "pill", text: e }); }))]));
    });
    if (!d.departments.length) depts.appendChild(el("li", { cls: "muted", text: "暂未识别出部门（非政务诉求或信息不足）" }));
    var esc = document.getElementById("escalation"); esc.textContent = "";
    if (d.request_type === "dispute_rejection") {
      esc.appendChild(el("h3", { text: "退件异议：应提交的层级" }));
      if (d.escalation) {
        var e = d.escalation;
        esc.appendChild(el("p", { id: "tier", "data-tier": e.tier, cls: "number", text: "第" + e.tier + "层级：" + e.tier_name }));
        esc.appendChild(el("p", {}, [el("strong", { text: "依据规则：" }), e.rules.join("、") + (e.overreach ? "（越权否决，R7）" : "")]));
        esc.appendChild(el("p", { cls: "muted", text: e.reason }));
      } else {
        esc.appendChild(el("p", { id: "tier", "data-tier": "", text: "还不能确定层级：请先问清下面的情况。" }));
      }
    }
    var qs = document.getElementById("questions"); qs.textContent = "";
    if (d.questions.length) {
      qs.appendChild(el("h3", { text: "接下来可以问来电人" }));
      qs.appendChild(el("ol", {}, d.questions.map(function (q) { return el("li", { "data-fact": q.fact, text: q.question }); })));
    }
    var items = document.getElementById("items"); items.textContent = "";
    d.items.slice(0, 2).forEach(function (it, i) {
      var days = it.instant ? "即办" : "法定 " + (it.legal_days === null ? "未公布" : it.legal_days) + " · 承诺 " + (it.promised_days === null ? "未公布" : it.promised_days) + " 个工作日";
      items.appendChild(el("div", { cls: i ? "dept muted" : "dept" }, [el("strong", { text: it.name }),
        el("dl", { cls: "facts" }, [el("dt", { text: "材料" }), el("dd", { text: it.materials.join("；") }),
          el("dt", { text: "时限" }), el("dd", { text: days }),
          el("dt", { text: "地点" }), el("dd", { text: it.where || (it.towns.length ? "镇街行政服务中心可办（" + it.towns.join("、") + "）" : "区行政服务中心") }),
          el("dt", { text: "网办" }), el("dd", { text: it.online + (it.platforms.length ? "：" + it.platforms.join("、") : "") })])]));
    });
    if (!d.items.length) items.appendChild(el("p", { cls: "muted", text: "未匹配到具体事项。" }));
    var script = document.getElementById("script"); script.textContent = "";
    d.script.forEach(function (line) { script.appendChild(el("p", { text: line })); });
    var ig = document.getElementById("ignored"); ig.textContent = "";
    ig.appendChild(el("p", { id: "call-evidence", text: d.call.summary }));
    if (d.call.ignored.length) {
      ig.appendChild(el("details", {}, [el("summary", { text: "已忽略的内容（" + d.call.ignored.length + " 处）" }),
        el("ul", {}, d.call.ignored.map(function (i) { return el("li", {}, [el("s", { text: i.text }), "（" + i.why + "）"]); }))]));
    }
    // The draft fills only what the agent has not typed themselves.
    FIELDS.forEach(function (f) {
      if (!call.edited[f] && form[f] && d.draft[f] !== undefined) { form[f].value = String(d.draft[f] || ""); call.order[f] = form[f].value; }
    });
    if (!call.edited.phone && d.draft.phone) { call.phone = d.draft.phone; if (document.activeElement !== phone) phone.value = masked(call.phone); }
    persist();
  }

  // ---- the work order's actions ----
  function order() {
    var body = { call_id: call.id, text: text.value.trim(), phone: call.phone };
    FIELDS.forEach(function (f) { body[f] = form[f].value; });
    body.rejecting_tier = body.rejecting_tier ? Number(body.rejecting_tier) : null;
    if (last && last.draft && last.draft.item && body.request_type === last.request_type) body.item = last.draft.item;
    return body;
  }
  function act(path, label) {
    error.textContent = "";
    var buttons = form.querySelectorAll("button"); Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    return S.api("POST", API + path, order()).then(function (r) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      if (!r.ok) { error.textContent = S.message(r); return; }
      if (r.data.record) {
        call.records = call.records.filter(function (x) { return x.number !== r.data.record.number; }).concat([r.data.record]);
      } else if (r.data.queued) {
        call.records.push({ sms: true, to: r.data.to });
      }
      persist(); readout();
    });
  }
  function readout() {
    var box = document.getElementById("readout"); box.textContent = "";
    call.records.forEach(function (x) {
      if (x.sms) { box.appendChild(el("p", { cls: "status", text: "指引短信已提交发送至 " + x.to + "。" })); return; }
      var due = x.ack_due_on ? "，" + x.ack_due_on + " 前确认受理，" + x.due_on + " 前作出决定" : "，" + x.due_on + " 前答复";
      box.appendChild(el("div", { cls: "readout" }, [el("span", { text: "请向来电人读出" + x.kind_name + "号：" }),
        el("span", { cls: "number", id: "record-number", "data-number": x.number, text: x.number }),
        el("p", { text: (x.tier ? "已提交第" + x.tier + "层级（" + x.tier_name + "）" : "由首咨单位负责协调") + due + "。凭单号可随时查询进度。" })]));
    });
  }

  // ---- speech recognition: segments posted by the ASR system for this call, appended with labels ----
  var LABEL = { caller: "市民：", agent: "坐席：", unknown: "" };
  function pollAsr() {
    if (!call.asr) return;
    S.api("GET", API + "feed?call_id=" + call.id + "&after=" + call.after).then(function (r) {
      if (!r.ok || !r.data.segments.length) return;
      r.data.segments.forEach(function (s) { text.value += (text.value && !/\n$/.test(text.value) ? "\n" : "") + LABEL[s.speaker] + s.text; call.after = s.id; });
      call.text = text.value; persist(); schedule();
    });
  }
  function asr(on) {
    call.asr = on; persist();
    clearInterval(asrTimer);
    if (on) { asrTimer = setInterval(pollAsr, 1000); pollAsr(); }
  }

  function newCall() {
    if (text.value.trim() && !call.records.length && !confirm("当前来电还没有开单或发短信，确定开始新来电吗？")) return;
    call = fresh(); persist(); form.reset(); showCall();
    ["departments", "escalation", "questions", "ignored", "script"].forEach(function (id) { document.getElementById(id).textContent = ""; });
    document.getElementById("items").textContent = ""; document.getElementById("request-type").textContent = "—";
    last = null; text.focus();
  }

  S.start("/webhooks/assist/console").then(function (user) {
    if (user.role !== "agent") { S.refuse(main, "控制台仅供 12345 热线座席使用，您的岗位无权使用。"); return; }
    S.api("GET", "options").then(function (o) {
      if (!o.ok) { error.textContent = S.message(o); return; }
      o.data.towns.forEach(function (t) { form.town.appendChild(el("option", { value: t, text: t })); });
      o.data.request_types.forEach(function (t) { form.request_type.appendChild(el("option", { value: t.value, text: t.name })); });
      o.data.departments.forEach(function (d) { form.department.appendChild(el("option", { value: d.code, text: d.name })); });
      o.data.tiers.forEach(function (t) { form.rejecting_tier.appendChild(el("option", { value: String(t.value), text: "第" + t.value + "层级：" + t.name })); });
      o.data.grounds.forEach(function (g) { form.ground.appendChild(el("option", { value: g.value, text: g.value + " " + g.plain })); });
      restore(); showCall();
      if (call.asr) asr(true);
      if (call.text) analyse();
      text.focus();
      document.body.setAttribute("data-ready", "1");
    });
  });

  text.addEventListener("input", function () { call.text = text.value; persist(); schedule(); });
  FIELDS.forEach(function (f) {
    form[f].addEventListener("input", function () { call.edited[f] = true; call.order[f] = form[f].value; persist(); });
    form[f].addEventListener("change", function () { call.edited[f] = true; call.order[f] = form[f].value; persist(); if (f === "town") schedule(); });
  });
  phone.addEventListener("focus", function () { phone.value = call.phone; });
  phone.addEventListener("blur", function () { phone.value = masked(call.phone); });
  phone.addEventListener("input", function () { call.phone = phone.value.replace(/[^\d-]/g, ""); call.edited.phone = true; persist(); });
  document.getElementById("asr").addEventListener("change", function (e) { asr(e.target.checked); });
  document.getElementById("new-call").addEventListener("click", newCall);
  document.getElementById("open-tj").addEventListener("click", function () { act("records/escalation"); });
  document.getElementById("open-xt").addEventListener("click", function () { act("records/coordination"); });
  document.getElementById("send-sms").addEventListener("click", function () { act("sms"); });
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    var key = { KeyT: "open-tj", KeyX: "open-xt", KeyS: "send-sms", KeyN: "new-call" }[e.code];
    if (e.code === "KeyC") { e.preventDefault(); text.focus(); return; }
    if (key) { e.preventDefault(); document.getElementById(key).click(); }
  });
})();
