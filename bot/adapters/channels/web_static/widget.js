/* 首咨助手 · 网站咨询窗口 (website chat widget) — embed with one tag:
 *   <script src="https://HOST/webhooks/web/widget.js" defer data-title="首咨助手"
 *           data-position="right" data-color="#0b57a4" data-first-unit="…"></script>
 * Plain JavaScript, no dependencies; renders in a Shadow DOM; talks only to the server it came from.
 * Everything the server sends is inserted as text (textContent), never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="/webhooks/web/widget.js"]');
  if (!script || window.ShouziWidget) return;

  var base = new URL(".", script.src).href; // …/webhooks/web/
  var ds = script.dataset || {};
  var KEY = "shouzi-web:" + base;
  var MAX_DEFAULT = 2000;
  var TIMEOUT_MS = 30000;
  var NUMBER_RE = /^(XT|TJ|HP)\d{12}$/;

  // ---- colours: any page colour, with text that stays readable (WCAG AA) ----
  function rgb(hex) {
    var h = hex.slice(1);
    if (h.length === 3) h = h.replace(/./g, "$&$&");
    return [0, 2, 4].map(function (i) { return parseInt(h.substr(i, 2), 16); });
  }
  function lum(c) {
    var v = c.map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function contrast(a, b) { var x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  function hex(c) { return "#" + c.map(function (x) { return ("0" + Math.round(x).toString(16)).slice(-2); }).join(""); }
  var colour = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(ds.color || "") ? rgb(ds.color) : rgb("#0b57a4");
  var WHITE = [255, 255, 255];
  // Darken until white text on it (and it as text on white) reaches 4.5:1.
  var ink = colour.slice();
  for (var i = 0; i < 40 && contrast(ink, WHITE) < 4.5; i++) ink = ink.map(function (x) { return x * 0.9; });
  var accent = hex(contrast(colour, WHITE) >= 4.5 ? colour : ink);

  var opts = {
    title: (ds.title || "首咨助手").slice(0, 30),
    position: ds.position === "left" ? "left" : "right",
    unit: (ds.firstUnit || "").slice(0, 64),
  };

  // ---- storage that never throws (private modes, blocked storage) ----
  var memory = {};
  function load(store, key) {
    try { return window[store].getItem(key); } catch (e) { return memory[store + key] || null; }
  }
  function save(store, key, value) {
    try {
      if (value === null) window[store].removeItem(key); else window[store].setItem(key, value);
    } catch (e) { memory[store + key] = value; }
  }

  // ---- DOM helpers: text only ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  var LINK_RE = /(https?:\/\/[^\s<>"'，。；、）)】]+)|(^|[^\d])(12345)(?!\d)/g;
  // Text with web addresses and the 12345 hotline as links; everything else stays plain text.
  function rich(text) {
    var frag = document.createDocumentFragment();
    var s = String(text == null ? "" : text), last = 0, m;
    LINK_RE.lastIndex = 0;
    while ((m = LINK_RE.exec(s))) {
      var start = m.index + (m[1] ? 0 : m[2].length);
      var label = m[1] || m[3];
      if (start > last) frag.appendChild(document.createTextNode(s.slice(last, start)));
      var a = el("a", { href: m[1] ? label : "tel:" + label, text: label });
      if (m[1]) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
      frag.appendChild(a);
      last = start + label.length;
    }
    if (last < s.length) frag.appendChild(document.createTextNode(s.slice(last)));
    return frag;
  }
  function para(cls, text) { var p = el("p", { cls: cls }); p.appendChild(rich(text)); return p; }
  function chars(text) { return Array.from(text).length; }

  // ---- styles ----
  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".w{--c:" + accent + ";font:16px/1.55 system-ui,-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;color:#1b1f24;-webkit-text-size-adjust:100%}",
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "button,textarea{font:inherit;color:inherit}",
    "button{cursor:pointer}",
    ":focus-visible{outline:3px solid #1b1f24;outline-offset:2px}",
    ".launcher{position:fixed;z-index:2147483000;bottom:calc(20px + env(safe-area-inset-bottom,0px));right:calc(20px + env(safe-area-inset-right,0px));display:flex;align-items:center;gap:8px;min-height:52px;padding:0 22px;border:2px solid #fff;border-radius:26px;background:var(--c);color:#fff;font-weight:600;box-shadow:0 4px 16px rgba(0,0,0,.3)}",
    ".left .launcher{right:auto;left:calc(20px + env(safe-area-inset-left,0px))}",
    ".launcher svg{width:22px;height:22px;fill:currentColor}",
    ".open .launcher{display:none}",
    ".panel{position:fixed;z-index:2147483001;bottom:calc(20px + env(safe-area-inset-bottom,0px));right:calc(20px + env(safe-area-inset-right,0px));width:400px;max-width:calc(100vw - 40px);height:640px;max-height:calc(100vh - 40px);display:flex;flex-direction:column;background:#fff;border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.35);overflow:hidden;animation:rise .18s ease-out}",
    ".left .panel{right:auto;left:calc(20px + env(safe-area-inset-left,0px))}",
    ".panel[hidden]{display:none}",
    "@keyframes rise{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}",
    ".bar{display:flex;align-items:center;gap:8px;padding:10px 8px 10px 16px;background:var(--c);color:#fff}",
    ".bar :focus-visible{outline-color:#fff}",
    ".hd{flex:1;min-width:0}",
    "h2{margin:0;font-size:17px;line-height:1.3}",
    ".sub{margin:0;font-size:13px;opacity:.95;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".close{width:44px;height:44px;border:0;border-radius:8px;background:transparent;color:#fff;font-size:26px;line-height:1}",
    ".close:hover{background:rgba(255,255,255,.18)}",
    ".log{position:relative;flex:1;overflow-y:auto;padding:14px 12px;background:#f3f5f8;overscroll-behavior:contain}",
    ".msg{display:flex;margin:0 0 12px}",
    ".user{justify-content:flex-end}",
    ".bubble{max-width:88%;padding:10px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate}",
    ".bot .bubble{background:#fff;border:1px solid #d5dbe2;border-top-left-radius:4px;width:88%}",
    ".user .bubble{background:var(--c);color:#fff;border-top-right-radius:4px}",
    ".pending .bubble{opacity:.75}",
    ".bubble p{margin:0}",
    ".title{font-weight:600}",
    ".bubble a{color:var(--c);text-decoration:underline}",
    ".user .bubble a{color:#fff}",
    "dl{margin:8px 0 0;padding:0}",
    ".fact{padding:6px 0;border-top:1px solid #e6eaef}",
    "dt{font-size:13px;font-weight:600;color:#4a5663}",
    "dd{margin:0}",
    "ol{margin:2px 0 0;padding-left:1.4em}",
    ".badge{display:inline-block;margin:6px 6px 0 0;padding:2px 8px;border-radius:10px;font-size:13px;font-weight:600;border:1px solid}",
    ".on{color:#0f5b2a;background:#e7f5ec;border-color:#9fd3b1}",
    ".pre{color:#0b4a8a;background:#e8f1fb;border-color:#a9c8ec}",
    ".off{color:#7a4100;background:#fff3e0;border-color:#f0c48a}",
    ".foot{margin-top:8px !important;font-size:13px;color:#4f5b67}",
    ".rec{display:flex;align-items:center;flex-wrap:wrap;gap:8px;margin-top:8px;padding:8px 10px;border-radius:8px;background:#eef3f9;border:1px dashed #8aa4c2}",
    ".rec code{font:600 17px/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.5px}",
    ".hot{display:block;margin-top:8px;padding:10px 12px;border-radius:8px;background:#fff6e5;border:1px solid #f0c48a}",
    ".hot a{font-size:20px;font-weight:700;color:#7a4100}",
    ".btns{display:flex;flex-wrap:wrap;gap:6px;margin-top:10px}",
    ".btn{min-height:40px;padding:6px 12px;border:1px solid var(--c);border-radius:20px;background:#fff;color:var(--c);text-align:left}",
    ".btn:hover:not(:disabled){background:#eef3f9}",
    ".btn:disabled{cursor:default;border-color:#9aa5b1;color:#4f5b67}",
    ".btn[aria-pressed=true]{background:var(--c);color:#fff;border-color:var(--c)}",
    ".copy{min-height:36px;padding:4px 12px;font-size:14px}",
    ".typing{display:flex;gap:5px;align-items:center;margin:0 12px 8px;padding:10px 14px;width:max-content;border-radius:12px;background:#fff;border:1px solid #d5dbe2}",
    ".typing[hidden]{display:none}",
    ".typing i{width:7px;height:7px;border-radius:50%;background:#5d6975;animation:blink 1.2s infinite ease-in-out}",
    ".typing i:nth-child(3){animation-delay:.2s}.typing i:nth-child(4){animation-delay:.4s}",
    "@keyframes blink{0%,80%,100%{opacity:.25}40%{opacity:1}}",
    ".alert{display:flex;align-items:center;gap:8px;margin:0;padding:10px 12px;background:#fdecea;color:#7d1a12;border-top:1px solid #f3b3ab;font-size:14px}",
    ".alert[hidden]{display:none}",
    ".alert span{flex:1}",
    ".retry{min-height:40px;padding:4px 14px;border:1px solid #7d1a12;border-radius:8px;background:#fff;color:#7d1a12;font-weight:600}",
    "form{margin:0;padding:10px 12px calc(10px + env(safe-area-inset-bottom,0px));border-top:1px solid #d5dbe2;background:#fff}",
    ".row{display:flex;gap:8px;align-items:flex-end}",
    "textarea{flex:1;min-height:44px;max-height:140px;padding:10px 12px;border:1px solid #8792a0;border-radius:10px;resize:none;line-height:1.45;background:#fff}",
    "textarea:focus{border-color:var(--c)}",
    "textarea:focus-visible{outline:2px solid var(--c);outline-offset:1px}",
    ".send{min-width:64px;min-height:44px;padding:0 14px;border:0;border-radius:10px;background:var(--c);color:#fff;font-weight:600}",
    ".send:disabled{background:#8792a0;cursor:default}",
    ".meta{display:flex;justify-content:space-between;gap:8px;margin-top:4px;font-size:12px;color:#4f5b67}",
    ".over{color:#b3261e;font-weight:600}",
    "@media (max-width:480px){.panel{top:0;left:0;right:0;bottom:0;width:auto;max-width:none;height:auto;max-height:none;border-radius:0;padding:env(safe-area-inset-top,0px) env(safe-area-inset-right,0px) 0 env(safe-area-inset-left,0px)}.left .panel{left:0;right:0}.bubble,.bot .bubble{max-width:94%;width:auto}}",
    "@media (prefers-reduced-motion:reduce){.panel{animation:none}.typing i{animation:none;opacity:.7}}",
    "@media (forced-colors:active){.bubble,.btn,.send,.launcher{border:1px solid CanvasText}}",
  ].join("\n");

  // ---- the widget ----
  var host = document.createElement("shouzi-widget");
  host.setAttribute("style", "all:initial!important;display:block!important");
  var shadow = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  var ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z";
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICON);
  svg.appendChild(path);

  var launcher = el("button", { cls: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "sz-panel" },
    [svg, el("span", { text: "在线咨询" })]);
  var titleEl = el("h2", { id: "sz-title", text: opts.title });
  var sub = el("p", { cls: "sub", text: "南海区政务服务 · 在线咨询" });
  var closeBtn = el("button", { cls: "close", type: "button", "aria-label": "关闭咨询窗口", text: "×" });
  var log = el("div", { cls: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "对话记录", tabindex: "0" });
  var typing = el("div", { cls: "typing", hidden: "", role: "status" },
    [el("span", { cls: "sr", text: "首咨助手正在回复" }), el("i", { "aria-hidden": "true" }), el("i", { "aria-hidden": "true" }), el("i", { "aria-hidden": "true" })]);
  var alertText = el("span");
  var retryBtn = el("button", { cls: "retry", type: "button", text: "重试" });
  var alertBox = el("div", { cls: "alert", role: "alert", hidden: "" }, [alertText, retryBtn]);
  var input = el("textarea", { id: "sz-input", rows: "1", "aria-describedby": "sz-hint sz-count", enterkeyhint: "send", autocomplete: "off" });
  var sendBtn = el("button", { cls: "send", type: "submit", text: "发送" });
  var hint = el("span", { id: "sz-hint", text: "Enter 发送，Shift+Enter 换行" });
  var counter = el("span", { id: "sz-count", "aria-live": "polite" });
  var form = el("form", { "aria-label": "发送咨询" }, [
    el("label", { cls: "sr", for: "sz-input", text: "输入您要咨询的问题" }),
    el("div", { cls: "row" }, [input, sendBtn]),
    el("div", { cls: "meta" }, [hint, counter]),
  ]);
  var copied = el("div", { cls: "sr", role: "status" });
  var panel = el("section", { cls: "panel", id: "sz-panel", role: "dialog", "aria-labelledby": "sz-title", hidden: "" }, [
    el("div", { cls: "bar" }, [el("div", { cls: "hd" }, [titleEl, sub]), closeBtn]),
    log, typing, alertBox, form, copied,
  ]);
  var root = el("div", { cls: "w " + opts.position, lang: "zh-CN" }, [launcher, panel]);
  shadow.appendChild(style);
  shadow.appendChild(root);

  // ---- state ----
  var token = load("localStorage", KEY);
  var max = MAX_DEFAULT, session = null, sessionPromise = null, loaded = false, busy = false;
  var composing = false, retry = null, contact = null;

  // ---- rendering replies ----
  function facts(sections) {
    var dl = el("dl");
    sections.forEach(function (s) {
      var dd = el("dd");
      if (s.label === "所需材料") {
        var items = String(s.text).split(/；(?=\d+[.．、]\s*)/).map(function (x) { return x.replace(/^\d+[.．、]\s*/, ""); });
        if (items.length > 1 || /^\d+[.．、]/.test(s.text)) {
          var ol = el("ol");
          items.forEach(function (x) { var li = el("li"); li.appendChild(rich(x)); ol.appendChild(li); });
          dd.appendChild(ol);
        } else dd.appendChild(rich(s.text));
      } else dd.appendChild(rich(s.text));
      dl.appendChild(el("div", { cls: "fact" }, [el("dt", { text: s.label }), dd]));
    });
    return dl;
  }
  var REFERRAL_ORDER = ["办理部门", "办理地点", "所需材料", "办理时限", "网上办理"];
  function onlineBadge(sections) {
    var s = sections.filter(function (x) { return x.label === "网上办理"; })[0];
    if (!s) return null;
    var t = String(s.text);
    if (/^可全程网上办理/.test(t)) return el("span", { cls: "badge on", text: "可全程网上办理" });
    if (/^可先在/.test(t)) return el("span", { cls: "badge pre", text: "可网上预审，窗口一次办结" });
    if (/^需到窗口/.test(t)) return el("span", { cls: "badge off", text: "需到窗口办理" });
    return null;
  }
  function copyButton(number) {
    var b = el("button", { cls: "btn copy", type: "button", text: "复制单号", "aria-label": "复制单号 " + number });
    b.addEventListener("click", function () {
      var done = function () {
        b.textContent = "已复制";
        copied.textContent = "已复制单号 " + number;
        setTimeout(function () { b.textContent = "复制单号"; copied.textContent = ""; }, 2000);
      };
      var fallback = function () {
        var t = el("textarea", { readonly: "", "aria-hidden": "true", style: "position:fixed;opacity:0" });
        t.value = number; shadow.appendChild(t); t.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the number stays selectable */ }
        shadow.removeChild(t); b.focus();
      };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(number).then(done, fallback);
      else fallback();
    });
    return b;
  }
  function buttons(reply, live) {
    if (!reply.buttons || !reply.buttons.length) return null;
    var rating = reply.kind === "rating_request";
    var group = el("div", { cls: "btns", role: "group", "aria-label": rating ? "服务评价（好差评）" : "快捷回复" });
    if (rating) group.setAttribute("data-rating", "");
    reply.buttons.forEach(function (b) {
      var btn = el("button", { cls: "btn", type: "button", text: String(b.title) });
      if (rating) btn.setAttribute("aria-pressed", "false");
      btn.addEventListener("click", function () {
        if (rating) { btn.setAttribute("aria-pressed", "true"); closeRatings(); }
        send(String(b.payload), String(b.title));
      });
      if (!live && rating) btn.disabled = true;
      group.appendChild(btn);
    });
    return group;
  }
  function closeRatings(chosen) {
    Array.prototype.forEach.call(log.querySelectorAll("[data-rating]"), function (g) {
      g.removeAttribute("data-rating");
      Array.prototype.forEach.call(g.children, function (b) {
        if (chosen && b.textContent === chosen) b.setAttribute("aria-pressed", "true");
        b.disabled = true;
      });
    });
  }
  function renderReply(reply, live) {
    var box = el("div", { cls: "bubble " + String(reply.kind || "text") });
    box.appendChild(el("span", { cls: "sr", text: opts.title + "：" }));
    box.appendChild(para("title", reply.title));
    var sections = Array.isArray(reply.sections) ? reply.sections : [];
    var data = reply.data && typeof reply.data === "object" ? reply.data : {};
    if (typeof data.number === "string" && NUMBER_RE.test(data.number)) {
      box.appendChild(el("div", { cls: "rec" }, [el("span", { text: "单号" }), el("code", { text: data.number }), copyButton(data.number)]));
    }
    if (reply.kind === "referral") {
      var badge = onlineBadge(sections);
      if (badge) box.appendChild(badge);
      var ordered = REFERRAL_ORDER.map(function (l) { return sections.filter(function (s) { return s.label === l; })[0]; })
        .filter(Boolean).concat(sections.filter(function (s) { return REFERRAL_ORDER.indexOf(s.label) < 0; }));
      box.appendChild(facts(ordered));
    } else if (sections.length) {
      box.appendChild(facts(sections));
    }
    if (reply.kind === "handoff" && contact) {
      var hot = el("div", { cls: "hot" }, [
        el("span", { text: "人工服务热线 " }),
        el("a", { href: "tel:" + contact.hotline, text: String(contact.hotline) }),
        para("", "窗口服务时间：" + contact.hours),
      ]);
      box.appendChild(hot);
    }
    if (reply.footer) box.appendChild(para("foot", reply.footer));
    var b = buttons(reply, live);
    if (b) box.appendChild(b);
    return box;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function addBot(reply, live) {
    var row = el("div", { cls: "msg bot" }, [renderReply(reply || {}, live)]);
    log.appendChild(row);
    scroll();
    return row;
  }
  function addUser(text, pending) {
    closeRatings(text);
    var bubble = el("div", { cls: "bubble" }, [el("span", { cls: "sr", text: "您说：" })]);
    bubble.appendChild(rich(text));
    var row = el("div", { cls: "msg user" + (pending ? " pending" : "") }, [bubble]);
    log.appendChild(row);
    scroll();
    return row;
  }

  // ---- talking to the server ----
  function Failure(message, status) { this.message = message; this.status = status || 0; }
  function post(path, body) {
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctl) ctl.abort(); }, TIMEOUT_MS);
    return fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=UTF-8" }, // a simple request: no CORS preflight
      body: JSON.stringify(body),
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      signal: ctl ? ctl.signal : undefined,
    }).then(function (res) {
      clearTimeout(timer);
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.ok && data) return data;
        var msg = data && data.error && typeof data.error.message === "string" ? data.error.message
          : "服务暂时不可用，消息没有发出。请稍后点击“重试”，或拨打 12345 政务服务便民热线。";
        throw new Failure(msg, res.status);
      });
    }, function () {
      clearTimeout(timer);
      throw new Failure(navigator.onLine === false
        ? "网络已断开，消息没有发出。请检查网络后点击“重试”。"
        : "暂时连不上服务器，消息没有发出。请稍后点击“重试”。");
    });
  }
  function ensureSession(fresh) {
    if (session && !fresh) return Promise.resolve(session);
    if (sessionPromise) return sessionPromise;
    sessionPromise = post("session", { token: fresh ? "" : token || "", unit: opts.unit }).then(function (s) {
      session = s; token = s.token; sessionPromise = null;
      save("localStorage", KEY, token);
      max = s.max_text_chars || MAX_DEFAULT;
      contact = s.contact || null;
      if (s.unit) sub.textContent = s.unit + " · 在线咨询";
      return s;
    }, function (err) { sessionPromise = null; throw err; });
    return sessionPromise;
  }
  // A call with the session; an expired or refused session is replaced once, and the visitor told.
  function call(path, body) {
    return ensureSession().then(function () {
      return post(path, Object.assign({ token: token }, body)).catch(function (err) {
        if (err.status !== 401) throw err;
        return ensureSession(true).then(function () {
          addBot({ kind: "notice", title: "之前的咨询会话已过期，已为您开始新的对话。" });
          return post(path, Object.assign({ token: token }, body));
        });
      });
    });
  }

  // ---- behaviour ----
  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    log.setAttribute("aria-busy", on ? "true" : "false");
    updateCounter();
  }
  function showAlert(message, again) {
    alertText.textContent = message;
    retry = again;
    alertBox.hidden = false;
  }
  function hideAlert() { alertBox.hidden = true; retry = null; }
  function updateCounter() {
    var n = chars(input.value);
    var near = n >= Math.floor(max * 0.8);
    counter.textContent = n > max ? "已超出 " + (n - max) + " 字，请删减后发送" : near ? "还可输入 " + (max - n) + " 字" : "";
    counter.className = n > max ? "over" : "";
    input.setAttribute("aria-invalid", n > max ? "true" : "false");
    sendBtn.disabled = busy || n > max;
  }
  function resize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 140) + "px";
  }
  function focusInput() { if (!panel.hidden) input.focus(); }

  function send(text, shown) {
    text = String(text || "").trim();
    if (!text || busy || chars(text) > max) return;
    var typed = shown === undefined;
    hideAlert();
    var row = addUser(shown || text, true);
    if (typed) { input.value = ""; resize(); }
    setBusy(true);
    var body = { text: text, unit: opts.unit };
    if (!typed) body.shown = shown;
    call("message", body).then(function (data) {
      row.classList.remove("pending");
      (data.replies || []).forEach(function (r) { addBot(r, true); });
      if ((data.replies || []).some(function (r) { return r.kind === "handoff"; })) waitForPerson();
      // Show the question and the start of the answer (a referral card is read from its top).
      log.scrollTop = Math.max(0, row.offsetTop - 8);
    }, function (err) {
      log.removeChild(row);
      if (typed && !input.value) { input.value = text; resize(); }
      showAlert(err.message, typed ? submit : function () { send(text, shown); });
    }).then(function () { setBusy(false); focusInput(); });
  }
  function submit() { send(input.value); }

  // 转人工: a person answers from the first unit's desk into this conversation; look for it for a while.
  var staffSeen = 0, waiting = null, waitUntil = 0;
  function staffReplies(messages) {
    return (messages || []).filter(function (m) { return m.from === "bot" && m.reply && m.reply.kind === "person_reply"; });
  }
  function waitForPerson() {
    waitUntil = Date.now() + 30 * 60 * 1000;
    if (waiting) return;
    waiting = setInterval(function () {
      if (Date.now() > waitUntil) { clearInterval(waiting); waiting = null; return; }
      if (busy || document.hidden) return;
      call("history", {}).then(function (h) {
        var fresh = staffReplies(h.messages).slice(staffSeen);
        fresh.forEach(function (m) { addBot(m.reply, true); });
        staffSeen += fresh.length;
      }, function () { /* try again on the next tick */ });
    }, 5000);
  }

  function start() {
    setBusy(true);
    ensureSession().then(function (s) {
      log.textContent = "";
      if (s.welcome) addBot(s.welcome, true);
      return s.continued ? call("history", {}).then(function (h) {
        (h.messages || []).forEach(function (m) {
          if (m.from === "user") addUser(String(m.text)); else addBot(m.reply, true);
        });
        staffSeen = staffReplies(h.messages).length;
        var last = (h.messages || []).filter(function (m) { return m.from === "bot"; }).pop();
        if (last && last.reply && last.reply.kind === "handoff") waitForPerson();
      }) : null;
    }).then(function () { loaded = true; }, function (err) {
      showAlert(err.message, start);
    }).then(function () { setBusy(false); });
  }
  function open(focus) {
    panel.hidden = false;
    root.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    save("sessionStorage", KEY + ":open", "1");
    if (focus !== false) input.focus();
    if (!loaded && !busy) start();
  }
  function close() {
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    save("sessionStorage", KEY + ":open", null);
    launcher.focus();
  }

  launcher.addEventListener("click", function () { open(); });
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !e.isComposing && !composing) { e.preventDefault(); close(); }
  });
  retryBtn.addEventListener("click", function () { var again = retry; hideAlert(); if (again) again(); focusInput(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () { composing = false; });
  input.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.shiftKey) return;
    // Never while an input method is composing: Enter then picks the candidate (Safari reports 229).
    if (e.isComposing || composing || e.keyCode === 229) return;
    e.preventDefault();
    submit();
  });
  input.addEventListener("input", function () { resize(); updateCounter(); });

  function mount() {
    document.body.appendChild(host);
    updateCounter();
    if (load("sessionStorage", KEY + ":open")) open(false); // continue on the next page of the site
  }
  window.ShouziWidget = { open: open, close: close };
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
