/* 待办队列：本岗位待办的记录，时限倒计时，逾期标红；按状态、部门、层级筛选（筛选保存在地址栏，刷新不丢）。 */
(function () {
  "use strict";
  var S = window.Staff, el = S.el;
  var main = document.getElementById("main"), body = document.querySelector("#queue tbody");
  var error = document.getElementById("error"), count = document.getElementById("count");
  var f = { state: document.getElementById("f-state"), dept: document.getElementById("f-dept"),
    tier: document.getElementById("f-tier"), overdue: document.getElementById("f-overdue") };
  var records = [], offset = 0, names = {};

  function option(select, value, text) { select.appendChild(el("option", { value: value, text: text })); }
  function restore() {
    var q = new URLSearchParams(location.search);
    f.state.value = q.get("state") || ""; f.dept.value = q.get("department") || ""; f.tier.value = q.get("tier") || "";
    f.overdue.checked = q.get("overdue") === "1";
  }
  function remember() {
    var q = new URLSearchParams();
    if (f.state.value) q.set("state", f.state.value);
    if (f.dept.value) q.set("department", f.dept.value);
    if (f.tier.value) q.set("tier", f.tier.value);
    if (f.overdue.checked) q.set("overdue", "1");
    history.replaceState(null, "", location.pathname + (String(q) ? "?" + q : ""));
  }

  function render() {
    body.textContent = "";
    var shown = records.filter(function (r) {
      return (!f.state.value || r.state === f.state.value) && (!f.dept.value || r.departments.indexOf(f.dept.value) >= 0)
        && (!f.tier.value || String(r.tier) === f.tier.value) && (!f.overdue.checked || r.overdue);
    });
    shown.forEach(function (r) {
      var left = S.countdown(r.next_deadline, offset);
      var depts = r.departments.map(function (c) { return names[c] || c; }).join("、") || "—";
      body.appendChild(el("tr", { cls: left.overdue || r.overdue ? "overdue" : "", "data-number": r.number }, [
        el("td", {}, [el("a", { href: S.BASE + "app/record?n=" + encodeURIComponent(r.number), text: r.number })]),
        el("td", { text: r.kind_name }),
        el("td", { text: r.state_name }),
        el("td", { text: r.tier ? "第" + r.tier + "层级" : "—" }),
        el("td", { text: depts }),
        el("td", { text: r.next_deadline || "—" }),
        el("td", { cls: "countdown", "data-deadline": r.next_deadline || "" }, [
          left.overdue || r.overdue ? el("span", { cls: "badge warn", text: "逾期" }) : null, " " + left.text]),
        el("td", { text: r.summary || "" }),
      ]));
    });
    count.textContent = "共 " + records.length + " 条待办" + (shown.length !== records.length ? "，筛选后显示 " + shown.length + " 条" : "") + "。";
  }
  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll("td.countdown"), function (td) {
      var left = S.countdown(td.getAttribute("data-deadline"), offset);
      td.lastChild.textContent = " " + left.text;
    });
  }

  S.start(S.BASE + "app/queue").then(function (user) {
    if (user.role === "agent") { S.refuse(main, "12345 热线座席没有记录队列，请使用座席控制台。"); return; }
    document.getElementById("intro").textContent = {
      section: "本部门第 2 层级（审批股室）的提级单，以及需要本部门接收的协调单。",
      leadership: "本部门第 3 层级（部门领导班子）的提级单。",
      district: "第 4 层级（区级）的提级单，以及未明确部门的提级单。",
      first_unit: "首咨单位负责协调的协调单（XT）和好差评回访单（HP）。",
    }[user.role] || "";
    return Promise.all([S.api("GET", "options"), S.api("GET", "queue")]).then(function (rs) {
      var opts = rs[0], queue = rs[1];
      if (!queue.ok) { if (queue.status === 403) S.refuse(main, S.message(queue)); else error.textContent = S.message(queue); return; }
      if (opts.ok) {
        opts.data.states.forEach(function (s) { option(f.state, s.value, s.name); });
        opts.data.departments.forEach(function (d) { names[d.code] = d.short; option(f.dept, d.code, d.short); });
        opts.data.tiers.forEach(function (t) { option(f.tier, String(t.value), "第" + t.value + "层级：" + t.name); });
      }
      records = queue.data.records;
      offset = new Date(queue.data.now).getTime() - Date.now();
      restore();
      render();
      setInterval(tick, 30000);
    });
  });
  ["state", "dept", "tier", "overdue"].forEach(function (k) {
    f[k].addEventListener("change", function () { remember(); render(); });
  });
})();
