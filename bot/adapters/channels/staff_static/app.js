/* 首咨助手 · 工作人员页面共用脚本：登录状态、调用接口、页头导航、时限倒计时。
   Pages hold no data of their own: everything comes from the staff API with the clerk's token, so a role's
   limits hold in the pages exactly as in the API (a 403 is shown as it is). */
(function () {
  "use strict";
  var BASE = "/webhooks/staff/";
  var KEY = "shouzi.staff";
  var HOME = { agent: "/webhooks/assist/console", district: BASE + "app/dashboard" };
  var NAV = [
    { href: "/webhooks/assist/console", text: "座席控制台", roles: ["agent"] },
    { href: BASE + "app/queue", text: "待办队列", roles: ["first_unit", "section", "leadership", "district"] },
    { href: BASE + "app/handovers", text: "转人工", roles: ["first_unit"] },
    { href: BASE + "app/dashboard", text: "改革报表", roles: ["district"] },
  ];

  function load() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function save(s) { if (s) sessionStorage.setItem(KEY, JSON.stringify(s)); else sessionStorage.removeItem(KEY); }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      var v = props[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = String(v);
      else if (k === "cls") node.className = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function toLogin() {
    save(null);
    location.href = BASE + "app/?next=" + encodeURIComponent(location.pathname + location.search);
  }

  // One API call: {status, data}; a 401 sends the clerk to log in again (and back here afterwards).
  function api(method, path, body) {
    var s = load();
    var headers = { "Content-Type": "application/json" };
    if (s && s.token) headers.Authorization = "Bearer " + s.token;
    var url = path.charAt(0) === "/" ? path : BASE + path;
    return fetch(url, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store" }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.status === 401 && path !== "login") { toLogin(); return new Promise(function () {}); }
        return { status: res.status, ok: res.ok, data: data };
      });
    }, function () {
      return { status: 0, ok: false, data: { error: { message: "网络连接失败，请检查网络后重试。" } } };
    });
  }
  function message(r) {
    return (r.data && r.data.error && r.data.error.message) || "操作没有成功（" + r.status + "），请稍后重试。";
  }

  // The page's header: who is logged in, the pages of their role, and logging out.
  function header(user, current) {
    var top = document.querySelector("header.top");
    var links = NAV.filter(function (n) { return n.roles.indexOf(user.role) >= 0; }).map(function (n) {
      return el("li", {}, [el("a", { href: n.href, "aria-current": n.href === current ? "page" : null, text: n.text })]);
    });
    top.appendChild(el("nav", { "aria-label": "主导航" }, [el("ul", {}, links)]));
    var dept = user.department_name ? " · " + user.department_name : "";
    top.appendChild(el("span", { cls: "who", text: user.display_name + "（" + (user.role_name || user.role) + dept + "）" }));
    top.appendChild(el("button", { type: "button", text: "退出登录", onclick: function () {
      api("POST", "logout").then(function () { save(null); location.href = BASE + "app/"; });
    } }));
  }

  // The logged-in user, the header drawn; pages call this first.
  function start(current) {
    var s = load();
    if (!s || !s.token) { toLogin(); return new Promise(function () {}); }
    header(s.user, current);
    return Promise.resolve(s.user);
  }

  function refuse(main, text) {
    main.textContent = "";
    main.appendChild(el("h1", { text: "无权访问" }));
    main.appendChild(el("p", { cls: "alert", role: "alert", text: text }));
  }

  // Time left to the end of a deadline day (local time of Nanhai), with the server's clock.
  function countdown(day, offsetMs) {
    if (!day) return { text: "—", overdue: false };
    var end = new Date(day + "T23:59:59+08:00").getTime();
    var left = end - (Date.now() + (offsetMs || 0));
    var abs = Math.abs(left), days = Math.floor(abs / 86400000), hours = Math.floor((abs % 86400000) / 3600000);
    var span = (days ? days + " 天 " : "") + hours + " 小时";
    return left >= 0 ? { text: "剩 " + span, overdue: false } : { text: "已逾期 " + span, overdue: true };
  }

  function date(iso) { return iso ? String(iso).replace("T", " ").slice(0, 16) : "—"; }

  function csv(rows) {
    return "\ufeff" + rows.map(function (r) {
      return r.map(function (c) { var s = String(c === null || c === undefined ? "" : c); return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }).join(",");
    }).join("\r\n");
  }
  function download(name, text) {
    var a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" })), download: name });
    document.body.appendChild(a); a.click(); document.body.removeChild(a);
  }

  // Where an applicant came in, as clerks call it (the records' and consultations' channel column).
  var CHANNELS = { web: "网站咨询窗口", wechat: "微信公众号", rest: "REST 接口", hotline: "12345 热线" };
  function channel(code) { return CHANNELS[code] || code || "—"; }

  window.Staff = { BASE: BASE, HOME: HOME, load: load, save: save, el: el, api: api, message: message, start: start,
    refuse: refuse, countdown: countdown, date: date, csv: csv, download: download, channel: channel };
})();
