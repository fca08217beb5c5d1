/* 转人工：首咨窗口读对话、在原渠道答复（网站咨询窗口：答复追加到群众的对话中）。 */
(function () {
  "use strict";
  var S = window.Staff, el = S.el;
  var main = document.getElementById("main"), error = document.getElementById("error"), done = document.getElementById("done");
  var current = null;
  var CHANNELS = { web: "网站咨询窗口", wechat: "微信公众号" };

  function list() {
    return S.api("GET", "handovers").then(function (r) {
      if (r.status === 403) { S.refuse(main, S.message(r)); return; }
      if (!r.ok) { error.textContent = S.message(r); return; }
      var body = document.querySelector("#list tbody"); body.textContent = "";
      document.getElementById("empty").hidden = r.data.handovers.length > 0;
      r.data.handovers.forEach(function (h) {
        body.appendChild(el("tr", { "data-id": h.id }, [el("td", { text: S.date(h.requested_at) }),
          el("td", { text: CHANNELS[h.channel] || h.channel }), el("td", { text: h.state_name }), el("td", { text: h.excerpt || "" }),
          el("td", {}, [el("button", { type: "button", cls: "secondary", text: "查看并答复", "aria-label": "查看并答复 " + S.date(h.requested_at) + " 的会话",
            onclick: function () { open(h.id); } })])]));
      });
    });
  }

  function open(id) {
    error.textContent = ""; done.textContent = "";
    S.api("GET", "handovers/" + id + "/conversation").then(function (r) {
      if (!r.ok) { error.textContent = S.message(r); return; }
      current = r.data.handover;
      var talk = document.getElementById("talk"), chat = document.getElementById("chat");
      talk.hidden = false; chat.textContent = "";
      r.data.messages.forEach(function (m) {
        var user = m.from === "user", person = !user && m.reply.kind === "person_reply";
        var text = user ? m.text : [m.reply.title].concat((m.reply.sections || []).map(function (s) { return "【" + s.label + "】" + s.text; })).join("\n");
        chat.appendChild(el("li", { cls: user ? "user" : person ? "person" : "bot" }, [
          el("span", { cls: "who", text: user ? "群众" : person ? "工作人员" : "助手" }), text]));
      });
      chat.scrollTop = chat.scrollHeight;
      var form = document.getElementById("reply");
      form.querySelector("button[type=submit]").disabled = !r.data.can_reply;
      if (!r.data.can_reply) done.textContent = "该渠道的会话暂不能在此答复：请通过公众号客服后台答复后点击“结束会话”。";
      document.getElementById("reply-text").focus();
    });
  }

  document.getElementById("reply").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = document.getElementById("reply-text").value.trim();
    if (!text || !current) { error.textContent = "请先填写答复内容。"; return; }
    S.api("POST", "handovers/" + current.id + "/reply", { text: text, version: current.version }).then(function (r) {
      if (!r.ok) { error.textContent = S.message(r); return; }
      document.getElementById("reply-text").value = "";
      done.textContent = "答复已发送，群众会在咨询窗口中看到。";
      open(current.id); list();
    });
  });
  document.getElementById("close").addEventListener("click", function () {
    if (!current) return;
    S.api("POST", "handovers/" + current.id + "/close", { version: current.version }).then(function (r) {
      if (!r.ok) { error.textContent = S.message(r); return; }
      done.textContent = "会话已结束。"; current = null; document.getElementById("talk").hidden = true; list();
    });
  });

  S.start(S.BASE + "app/handovers").then(function () { list(); setInterval(list, 20000); });
})();
