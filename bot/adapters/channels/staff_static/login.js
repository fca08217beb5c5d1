/* 登录：取得令牌后按岗位进入各自的页面（座席→控制台，区级→报表，其他→待办队列）。 */
(function () {
  "use strict";
  var S = window.Staff;
  var form = document.getElementById("login"), error = document.getElementById("error");
  var next = new URLSearchParams(location.search).get("next");
  function home(user) {
    if (next && next.indexOf("/webhooks/") === 0) return next;
    return S.HOME[user.role] || S.BASE + "app/queue";
  }
  var current = S.load();
  if (current && current.token) { location.replace(home(current.user)); return; }
  document.getElementById("username").focus();
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    error.textContent = "";
    var username = form.username.value.trim(), password = form.password.value;
    if (!username || !password) { error.textContent = "请输入用户名和密码。"; return; }
    document.getElementById("submit").disabled = true;
    S.api("POST", "login", { username: username, password: password }).then(function (r) {
      document.getElementById("submit").disabled = false;
      if (!r.ok) { error.textContent = S.message(r); form.password.select(); return; }
      S.save({ token: r.data.token, user: r.data.user, expires_at: r.data.expires_at });
      location.replace(home(r.data.user));
    });
  });
})();
