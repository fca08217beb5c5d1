/* 记录详情：群众说了什么（脱敏）、引用的规则、完整审计轨迹，以及本岗位可办的操作。
   每个操作都带上页面加载时的版本号：记录在此之后被改过的，服务器拒绝（409），页面如实告知。 */
(function () {
  "use strict";
  var S = window.Staff, el = S.el;
  var number = new URLSearchParams(location.search).get("n") || "";
  var main = document.getElementById("main"), error = document.getElementById("error"), done = document.getElementById("done");
  var record = null, names = {}, opts = null;
  var ACTIONS = {
    acknowledge: { title: "确认受理", verb: "确认", reason: "确认说明（可不填）", required: false },
    decide: { title: "作出决定", verb: "提交决定", reason: "决定理由（群众会看到）", required: true, decide: true },
    escalate: { title: "提请上一层级", verb: "提级", reason: "提级理由", required: true },
    accept: { title: "接收（协商受理）", verb: "接收", reason: "说明（可不填）", required: false, department: true },
    contact: { title: "已回访", verb: "记录回访", reason: "回访情况", required: false },
    close: { title: "办结", verb: "办结", reason: "办理结果", required: true },
  };

  function dd(term, value) {
    var facts = document.getElementById("facts");
    facts.appendChild(el("dt", { text: term }));
    facts.appendChild(el("dd", { text: value === null || value === undefined || value === "" ? "—" : String(value) }));
  }

  function show(r) {
    record = r;
    document.title = r.number + " · 记录详情";
    document.getElementById("title").textContent = r.kind_name + " " + r.number;
    document.getElementById("facts").textContent = "";
    dd("状态", r.state_name);
    dd("所在层级", r.tier ? "第" + r.tier + "层级：" + r.tier_name : "—");
    dd("部门", r.departments.map(function (c) { return names[c] || c; }).join("、"));
    dd("事项", r.item_name);
    if (r.kind === "escalation") {
      dd("退件理由", r.ground_name);
      var f = r.facts || {};
      dd("原退件层级", f.rejecting_tier ? "第" + f.rejecting_tier + "层级" : "不清楚（按窗口处理，R10）");
      if (f.overreach) dd("提示", "越权否决（R7）");
    }
    dd("首咨单位", r.first_unit);
    dd("渠道", S.channel(r.channel));
    dd("确认时限", r.ack_due_on);
    dd("办结时限", r.due_on);
    var left = S.countdown(r.next_deadline, 0);
    dd("下一时限", r.next_deadline ? r.next_deadline + "（" + left.text + "）" : "—");
    dd("版本", r.version);
    document.getElementById("summary").textContent = r.summary || "（无摘要）";
    var rules = document.getElementById("rules"); rules.textContent = "";
    (r.rules_cited || []).forEach(function (x) { rules.appendChild(el("li", {}, [el("strong", { text: x.id + " " }), x.text])); });
    if (!rules.childNodes.length) rules.appendChild(el("li", { text: "—" }));
    var audit = document.querySelector("#audit tbody"); audit.textContent = "";
    (r.events || []).forEach(function (e) {
      audit.appendChild(el("tr", {}, [el("td", { text: S.date(e.at) }), el("td", { text: e.actor }),
        el("td", { text: (e.from_state_name || "—") + " → " + e.to_state_name }), el("td", { text: e.reason || "" }), el("td", { text: e.rule || "" })]));
    });
    forms(r);
  }

  function forms(r) {
    var box = document.getElementById("actions"); box.textContent = "";
    if (!r.allowed.length) {
      box.appendChild(el("p", { cls: "muted", text: r.actions.length ? "这条记录不在您的岗位办理范围内，您只能查看。" : "这条记录已办结，没有待办操作。" }));
      return;
    }
    r.allowed.forEach(function (name) {
      var a = ACTIONS[name], id = "a-" + name;
      var form = el("form", { cls: "card", "aria-labelledby": id + "-h", "data-action": name });
      form.appendChild(el("h3", { id: id + "-h", text: a.title }));
      if (a.decide) {
        var fs = el("fieldset", {}, [el("legend", { text: "决定" })]);
        [["overturn", "撤销原退件（予以受理/办理）"], ["uphold", "维持原退件"]].forEach(function (o) {
          fs.appendChild(el("label", { style: "font-weight:400" }, [el("input", { type: "radio", name: "decision", value: o[0], style: "width:auto", required: true }), " " + o[1]]));
        });
        form.appendChild(fs);
      }
      if (a.department) {
        form.appendChild(el("label", { for: id + "-dept", text: "接收部门" }));
        var sel = el("select", { id: id + "-dept", name: "department" });
        (opts ? opts.departments : []).forEach(function (d) { sel.appendChild(el("option", { value: d.code, text: d.short })); });
        if (r.departments[0]) sel.value = r.departments[0];
        form.appendChild(sel);
      }
      form.appendChild(el("label", { for: id + "-reason", text: a.reason }));
      form.appendChild(el("textarea", { id: id + "-reason", name: "reason", rows: "2", maxlength: "500", required: a.required }));
      form.appendChild(el("p", {}, [el("button", { type: "submit", text: a.verb })]));
      form.addEventListener("submit", function (e) { e.preventDefault(); act(name, form); });
      box.appendChild(form);
    });
  }

  function act(name, form) {
    error.textContent = ""; done.textContent = "";
    var body = { version: record.version, reason: form.reason.value.trim() };
    if (ACTIONS[name].required && !body.reason) { error.textContent = "请填写" + ACTIONS[name].reason.replace(/（.*）/, "") + "。"; form.reason.focus(); return; }
    if (form.decision) {
      var picked = form.querySelector("input[name=decision]:checked");
      if (!picked) { error.textContent = "请选择维持或撤销原退件。"; return; }
      body.decision = picked.value;
    }
    if (form.department) body.department = form.department.value;
    var button = form.querySelector("button"); button.disabled = true;
    S.api("POST", "records/" + encodeURIComponent(record.number) + "/" + name, body).then(function (r) {
      button.disabled = false;
      if (!r.ok) {
        error.textContent = S.message(r);
        if (r.status === 409) {
          error.appendChild(el("button", { type: "button", cls: "secondary", style: "margin-left:.5rem", text: "刷新查看最新情况",
            onclick: function () { location.reload(); } }));
        }
        error.focus && error.setAttribute("tabindex", "-1"); error.focus();
        return;
      }
      show(r.data);
      done.textContent = "已办理：" + ACTIONS[name].title + "。现在的状态：" + r.data.state_name + "。";
    });
  }

  function conversation() {
    S.api("GET", "records/" + encodeURIComponent(number) + "/conversation").then(function (r) {
      var chat = document.getElementById("chat"); chat.textContent = "";
      if (!r.ok) { chat.appendChild(el("li", { cls: "bot", text: S.message(r) })); return; }
      if (!r.data.messages.length) chat.appendChild(el("li", { cls: "bot", text: "（此渠道没有对话记录，诉求见上方摘要。）" }));
      r.data.messages.forEach(function (m) {
        var user = m.from === "user";
        var text = user ? m.text : [m.reply.title].concat((m.reply.sections || []).map(function (s) { return "【" + s.label + "】" + s.text; })).join("\n");
        chat.appendChild(el("li", { cls: user ? "user" : "bot" }, [el("span", { cls: "who", text: user ? "群众" : "助手" }), text]));
      });
    });
  }

  S.start(S.BASE + "app/queue").then(function () {
    if (!/^[A-Za-z]{2}\d{8,12}$/.test(number)) { error.textContent = "单号格式不正确。"; return; }
    Promise.all([S.api("GET", "options"), S.api("GET", "records/" + encodeURIComponent(number))]).then(function (rs) {
      if (rs[0].ok) { opts = rs[0].data; opts.departments.forEach(function (d) { names[d.code] = d.short; }); }
      var r = rs[1];
      if (r.status === 403) { S.refuse(main, S.message(r)); return; }
      if (!r.ok) { error.textContent = S.message(r); return; }
      show(r.data);
      conversation();
    });
  });
})();
