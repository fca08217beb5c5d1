/* 改革报表（区级）：所选期间的咨询量、协调单时限、退件异议（按层级、部门）、撤销率、自动提级（R12）、好差评与回访。
   每张图下面有同一数据的表格（读屏和打印都可用）和 CSV 导出；图表库（Chart.js）由项目脚本安装，不走 CDN。 */
(function () {
  "use strict";
  var S = window.Staff, el = S.el;
  var main = document.getElementById("main"), error = document.getElementById("error"), status = document.getElementById("status");
  var form = document.getElementById("period"), charts = [], opts = null;
  var RATING = { 5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意" };
  var COLORS = ["#0b5394", "#e69138", "#6aa84f", "#a61c00", "#674ea7", "#45818e", "#bf9000", "#999999"];

  function pct(x) { return x === null || x === undefined ? "—" : (x * 100).toFixed(1) + "%"; }
  function kpi(value, label) { return el("div", { cls: "kpi" }, [el("span", { cls: "value", text: String(value) }), el("span", { cls: "label", text: label })]); }

  // One chart with its table and CSV export; the table is the same data a screen reader reads.
  function figure(id, title, head, rows, type) {
    var canvasId = "c-" + id, tableId = "t-" + id;
    var table = el("table", { id: tableId }, [el("caption", { cls: "visually-hidden", text: title }),
      el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { scope: "col", text: h }); }))]),
      el("tbody", {}, rows.map(function (r) { return el("tr", {}, r.map(function (c, i) { return el(i ? "td" : "th", i ? { text: String(c) } : { scope: "row", text: String(c) }); })); }))]);
    var summary = title + "：" + rows.map(function (r) { return r[0] + " " + r[1]; }).join("，");
    var box = el("div", { cls: "chart-box" }, [el("canvas", { id: canvasId, role: "img", "aria-label": summary || title + "：无数据" })]);
    var fig = el("figure", { cls: "card", "data-chart": id }, [el("figcaption", { text: title }), box, table,
      el("p", {}, [el("button", { type: "button", cls: "secondary", text: "导出 CSV", "aria-label": "导出 CSV：" + title,
        onclick: function () { S.download(id + "-" + form.from.value + "-" + form.to.value + ".csv", S.csv([head].concat(rows))); } })])]);
    document.getElementById("charts").appendChild(fig);
    if (!rows.length) box.appendChild(el("p", { cls: "muted", text: "所选期间没有数据。" }));
    if (window.Chart && rows.length) {
      charts.push(new window.Chart(document.getElementById(canvasId), {
        type: type || "bar",
        data: { labels: rows.map(function (r) { return r[0]; }),
          datasets: [{ label: head[1], data: rows.map(function (r) { return Number(r[1]); }),
            backgroundColor: rows.map(function (_, i) { return COLORS[i % COLORS.length]; }) }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: type === "doughnut" } }, scales: type === "doughnut" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }));
    }
  }

  function draw(d) {
    charts.forEach(function (c) { c.destroy(); }); charts = [];
    document.getElementById("charts").textContent = "";
    var k = document.getElementById("kpis"); k.textContent = "";
    var c = d.consultations, x = d.coordination, e = d.escalations, r = d.ratings;
    k.appendChild(kpi(c.total, "首次咨询（件）"));
    k.appendChild(kpi(x.total, "协调单（XT）"));
    k.appendChild(kpi(x.done ? pct(x.deadline_met / x.done) : "—", "协调单按时办结率"));
    k.appendChild(kpi(e.total, "退件异议提级单（TJ）"));
    k.appendChild(kpi(pct(e.overturned_rate), "撤销率（已决定中撤销的占比）"));
    k.appendChild(kpi(e.moved_automatically, "逾期自动提级次数（R12）"));
    k.appendChild(kpi(r.total, "好差评（条）"));
    k.appendChild(kpi(r.follow_ups_done + " / " + r.follow_ups, "差评回访已完成 / 回访单"));
    var rt = {}; (opts ? opts.request_types : []).forEach(function (t) { rt[t.value] = t.name; });
    var dn = d.department_names || {};
    figure("channels", "首次咨询：按渠道", ["渠道", "件数"], Object.keys(c.by_channel).map(function (ch) { return [S.channel(ch), c.by_channel[ch]]; }));
    figure("types", "首次咨询：按诉求类型", ["诉求类型", "件数"], Object.keys(c.by_request_type).map(function (t) { return [rt[t] || t, c.by_request_type[t]]; }));
    figure("coordination", "协调单：办结是否按时", ["情况", "件数"], [["按时办结", x.deadline_met], ["超时办结", x.done - x.deadline_met], ["办理中", x.open], ["其中已逾期", x.overdue]]);
    figure("tiers", "退件异议：按受理层级", ["层级", "件数"], Object.keys(e.by_tier).map(function (t) { return ["第" + t + "层级 " + ((d.tier_names || {})[t] || ""), e.by_tier[t]]; }));
    figure("departments", "退件异议：按部门", ["部门", "件数"], Object.keys(e.by_department).map(function (code) { return [dn[code] || (code === "-" ? "未明确部门" : code), e.by_department[code]]; }));
    figure("decisions", "退件异议：决定结果（撤销率 " + pct(e.overturned_rate) + "）", ["结果", "件数"], [["撤销原退件", e.overturned_count], ["维持原退件", e.decided - e.overturned_count], ["尚未决定", e.total - e.decided]], "doughnut");
    figure("ratings", "好差评分布", ["评价", "条数"], Object.keys(RATING).reverse().map(function (s) { return [RATING[s], r.by_score[s] || 0]; }));
    figure("followups", "差评回访", ["情况", "件数"], [["已回访或办结", r.follow_ups_done], ["待回访", r.follow_ups - r.follow_ups_done]]);
    status.textContent = "统计期间 " + d.from + " 至 " + d.to + (window.Chart ? "" : "（图表库未安装：请运行 scripts/web-deps.sh；下方表格数据完整）") + "。";
  }

  function query() {
    error.textContent = "";
    var q = "dashboard?from=" + encodeURIComponent(form.from.value) + "&to=" + encodeURIComponent(form.to.value);
    history.replaceState(null, "", location.pathname + "?from=" + form.from.value + "&to=" + form.to.value);
    return S.api("GET", q).then(function (r) {
      if (r.status === 403) { S.refuse(main, S.message(r)); return; }
      if (!r.ok) { error.textContent = S.message(r); return; }
      draw(r.data);
      document.body.setAttribute("data-loaded", "1");
    });
  }

  S.start(S.BASE + "app/dashboard").then(function () {
    var p = new URLSearchParams(location.search);
    var today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
    form.to.value = p.get("to") || today;
    form.from.value = p.get("from") || new Date(Date.parse(form.to.value) - 29 * 86400000).toISOString().slice(0, 10);
    S.api("GET", "options").then(function (o) { if (o.ok) opts = o.data; query(); });
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); query(); });
})();
