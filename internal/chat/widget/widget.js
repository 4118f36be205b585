/* Pishkhan chat widget: <script src="https://PANEL/widget.js" async data-lang="fa"></script>.
 * Optional data-: lang (fa|en), color (any CSS color), theme (light|dark|auto), position
 * (start|end), title, greeting. No framework, no eval, no HTML parsing of text, no inline styles: it draws in a shadow
 * root styled by a constructed stylesheet, so it runs under a strict CSP that allows this
 * script's origin in script-src and connect-src. It speaks API.md section 9's public chat. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !me.src || window.__pishkhanChat) return;
  window.__pishkhanChat = true;
  var api = new URL(me.src).origin + "/api/public/v1/chat/conversations";
  var data = me.dataset;
  var lang = data.lang === "en" || data.lang === "fa" ? data.lang : /^fa\b/i.test(document.documentElement.lang || "fa") ? "fa" : "en";
  var T = {
    fa: { open: "گفتگو با ما", close: "بستن", title: "پشتیبانی", hello: "سلام! پرسشتان را بنویسید.", placeholder: "پیامتان را بنویسید…", send: "ارسال",
      human: "گفتگو با یک همکار", waiting: "به‌زودی یکی از همکاران پاسخ می‌دهد.", agent: "اکنون با یک همکار گفتگو می‌کنید.",
      resolved: "این گفتگو بسته شد. پیام تازه گفتگوی تازه‌ای آغاز می‌کند.", failed: "پیام فرستاده نشد. دوباره بکوشید.",
      limited: "پیام‌های زیادی فرستاده‌اید؛ کمی بعد دوباره بکوشید.", tooLong: "پیام بلند است.", sources: "منبع‌ها", you: "شما", bot: "دستیار", person: "همکار" },
    en: { open: "Chat with us", close: "Close", title: "Support", hello: "Hello! Write your question.", placeholder: "Write your message…", send: "Send",
      human: "Talk to a person", waiting: "A person will answer soon.", agent: "You are talking to a person now.",
      resolved: "This conversation has ended. A new message starts a new one.", failed: "The message was not sent. Try again.",
      limited: "Too many messages; try again in a little while.", tooLong: "The message is too long.", sources: "Sources", you: "You", bot: "Assistant", person: "Agent" }
  }[lang];
  var color = data.color && window.CSS && CSS.supports("color", data.color) ? data.color : "#0f766e";
  var storeKey = "pishkhan-chat:" + api;
  var MAX = 2000;

  var css = ":host{all:initial;position:fixed;bottom:20px;z-index:2147483000;font:14px/1.6 system-ui,Tahoma,sans-serif;--pk-accent:" + color + "}" +
    ":host([data-position=end]) {inset-inline-end:20px}:host([data-position=start]){inset-inline-start:20px}" +
    "*{box-sizing:border-box}button,textarea{font:inherit}" +
    ".launch{width:56px;height:56px;border-radius:50%;border:0;background:var(--pk-accent);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".launch svg{width:26px;height:26px;fill:currentColor}" +
    ".panel{position:absolute;bottom:68px;inset-inline-end:0;width:min(360px,calc(100vw - 40px));height:min(520px,calc(100vh - 110px));display:flex;flex-direction:column;background:var(--pk-bg);color:var(--pk-fg);border:1px solid var(--pk-line);border-radius:14px;overflow:hidden;box-shadow:0 10px 30px rgba(0,0,0,.25)}" +
    ":host([data-position=start]) .panel{inset-inline-end:auto;inset-inline-start:0}" +
    ".panel[hidden]{display:none}" +
    ".light{--pk-bg:#fff;--pk-fg:#111827;--pk-muted:#4b5563;--pk-line:#e5e7eb;--pk-bubble:#f3f4f6}" +
    ".dark{--pk-bg:#111827;--pk-fg:#f9fafb;--pk-muted:#d1d5db;--pk-line:#374151;--pk-bubble:#1f2937}" +
    "header{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:10px 14px;background:var(--pk-accent);color:#fff}" +
    "header h2{margin:0;font-size:15px}header button{background:transparent;border:0;color:#fff;cursor:pointer;font-size:20px;line-height:1;min-width:32px;min-height:32px}" +
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}" +
    ".msg{max-width:85%;padding:8px 12px;border-radius:12px;background:var(--pk-bubble);white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".msg.visitor{align-self:flex-end;background:var(--pk-accent);color:#fff}.msg.bot,.msg.agent{align-self:flex-start}" +
    ".who{display:block;font-size:12px;color:var(--pk-muted)}.msg.visitor .who{color:inherit;opacity:.85}" +
    ".src{margin:6px 0 0;padding:0;list-style:none;font-size:13px}.src a{color:inherit;text-decoration:underline}" +
    ".note{align-self:center;text-align:center;font-size:13px;color:var(--pk-muted)}" +
    ".human{margin:0 12px 8px;padding:6px 10px;border:1px solid var(--pk-line);border-radius:8px;background:transparent;color:var(--pk-fg);cursor:pointer}" +
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid var(--pk-line)}" +
    "textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid var(--pk-line);border-radius:8px;background:var(--pk-bg);color:var(--pk-fg)}" +
    "form button{border:0;border-radius:8px;padding:0 14px;background:var(--pk-accent);color:#fff;cursor:pointer}" +
    "button:focus-visible,textarea:focus-visible,a:focus-visible{outline:2px solid var(--pk-accent);outline-offset:2px}" +
    "header button:focus-visible{outline-color:#fff}";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  var host = el("div");
  host.setAttribute("data-position", data.position === "start" ? "start" : "end");
  host.setAttribute("data-pishkhan-chat", "");
  var root = host.attachShadow({ mode: "open" });
  var sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [sheet];

  var dark = data.theme === "dark" || (data.theme !== "light" && window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches);
  var panel = el("section", "panel " + (dark ? "dark" : "light"));
  panel.hidden = true;
  panel.dir = lang === "fa" ? "rtl" : "ltr";
  panel.lang = lang;
  panel.setAttribute("aria-label", data.title || T.title);
  var head = el("header");
  var h2 = el("h2", "", data.title || T.title);
  var closeBtn = el("button", "", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", T.close);
  head.append(h2, closeBtn);
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  var humanBtn = el("button", "human", T.human);
  humanBtn.type = "button";
  var form = el("form");
  var input = el("textarea");
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.placeholder);
  input.maxLength = MAX;
  var sendBtn = el("button", "", T.send);
  sendBtn.type = "submit";
  form.append(input, sendBtn);
  log.append(el("p", "note", data.greeting || T.hello));
  panel.append(head, log, humanBtn, form);
  var launch = el("button", "launch");
  launch.type = "button";
  launch.setAttribute("aria-label", T.open);
  launch.setAttribute("aria-expanded", "false");
  launch.lang = lang;
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z");
  svg.append(path);
  launch.append(svg);
  root.append(panel, launch);

  var conv = read();
  var stream = null;
  var shown = {};
  var state = "bot";

  function read() {
    try {
      var v = JSON.parse(localStorage.getItem(storeKey) || "null");
      return v && (typeof v.id === "number" || typeof v.id === "string") && typeof v.token === "string" ? v : null;
    } catch (e) {
      return null;
    }
  }
  function save(v) {
    conv = v;
    try {
      if (v) localStorage.setItem(storeKey, JSON.stringify(v));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* storage off: the conversation lasts this page only */ }
  }
  function call(method, url, body) {
    var h = { Accept: "application/json" };
    if (conv) h.Authorization = "Bearer " + conv.token;
    if (body) h["Content-Type"] = "application/json";
    return fetch(url, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined, credentials: "omit" }).then(function (r) {
      return r.text().then(function (t) {
        var j = null;
        try { j = t ? JSON.parse(t) : null; } catch (e) { /* not JSON */ }
        if (!r.ok) throw { status: r.status, body: j };
        return j;
      });
    });
  }
  function note(text) {
    var n = el("p", "note", text);
    log.append(n);
    log.scrollTop = log.scrollHeight;
  }
  function safeURL(u) {
    if (!u) return null;
    try {
      var x = new URL(u, api);
      return x.protocol === "https:" || x.protocol === "http:" ? x.href : null;
    } catch (e) {
      return null;
    }
  }
  // show draws message m (API.md: {id, role, text, sources, at}), or updates it when shown.
  function show(m) {
    if (!m || m.id == null) return;
    var box = shown[m.id];
    if (!box) {
      box = shown[m.id] = el("div", "msg " + (m.role === "visitor" ? "visitor" : m.role === "agent" ? "agent" : "bot"));
      box.append(el("span", "who", m.role === "visitor" ? T.you : m.role === "agent" ? T.person : T.bot), el("span", "text"));
      log.append(box);
    }
    box.querySelector(".text").textContent = m.text || "";
    var old = box.querySelector(".src");
    if (old) old.remove();
    var links = (m.sources || []).map(function (s) { return [safeURL(s.url), s.title || s.slug || ""]; }).filter(function (s) { return s[0]; });
    if (links.length) {
      var ul = el("ul", "src");
      ul.setAttribute("aria-label", T.sources);
      links.forEach(function (s) {
        var li = el("li");
        var a = el("a", "", s[1] || s[0]);
        a.href = s[0];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        li.append(a);
        ul.append(li);
      });
      box.append(ul);
    }
    log.scrollTop = log.scrollHeight;
  }
  function setState(s) {
    if (s === state) return;
    state = s;
    humanBtn.hidden = s !== "bot";
    if (T[s]) note(T[s]);
    if (s === "resolved") {
      if (stream) stream.close();
      stream = null;
      save(null);
    }
  }
  function listen() {
    if (stream || !conv || !window.EventSource) return;
    stream = new EventSource(api + "/" + encodeURIComponent(conv.id) + "/stream?token=" + encodeURIComponent(conv.token));
    stream.addEventListener("message", function (e) { try { show(JSON.parse(e.data)); } catch (x) { /* ignore a bad event */ } });
    stream.addEventListener("token", function (e) {
      try {
        var t = JSON.parse(e.data);
        var box = shown[t.message_id];
        if (!box) show({ id: t.message_id, role: "bot", text: t.text });
        else box.querySelector(".text").textContent += t.text;
        log.scrollTop = log.scrollHeight;
      } catch (x) { /* ignore a bad event */ }
    });
    stream.addEventListener("state", function (e) { try { setState(JSON.parse(e.data).state); } catch (x) { /* ignore */ } });
  }
  // resume loads a kept conversation's transcript; a conversation the server no longer knows is dropped.
  function resume() {
    if (!conv) return Promise.resolve();
    return call("GET", api + "/" + encodeURIComponent(conv.id)).then(function (c) {
      (c && c.messages || []).forEach(show);
      if (c && c.state) {
        if (c.state === "resolved") save(null);
        else { state = c.state; humanBtn.hidden = state !== "bot"; }
      }
      listen();
    }, function (e) {
      if (e && (e.status === 401 || e.status === 404)) save(null);
    });
  }
  function start() {
    if (conv) return Promise.resolve();
    return call("POST", api, { lang: lang }).then(function (c) {
      save({ id: c.id, token: c.token });
      state = "bot";
      listen();
    });
  }
  function fail(e) {
    note(e && e.status === 429 ? T.limited : e && e.status === 422 ? T.tooLong : T.failed);
  }
  var resumed = false;
  function toggle(open) {
    panel.hidden = !open;
    launch.setAttribute("aria-expanded", String(open));
    if (open) {
      if (!resumed) { resumed = true; resume(); }
      input.focus();
    } else launch.focus();
  }
  launch.addEventListener("click", function () { toggle(panel.hidden); });
  closeBtn.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text || sendBtn.disabled) return;
    sendBtn.disabled = true;
    start().then(function () {
      return call("POST", api + "/" + encodeURIComponent(conv.id) + "/messages", { text: text });
    }).then(function (r) {
      input.value = "";
      show({ id: r.id, role: "visitor", text: text });
    }, fail).then(function () { sendBtn.disabled = false; });
  });
  humanBtn.addEventListener("click", function () {
    start().then(function () { return call("POST", api + "/" + encodeURIComponent(conv.id) + "/handoff"); })
      .then(function (c) { if (c && c.state) setState(c.state); }, fail);
  });
  (document.body || document.documentElement).append(host);
})();
