(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const S = JSON.parse($("strings").textContent);
  const tg = window.Telegram && window.Telegram.WebApp;
  const launch = new URLSearchParams(location.hash.slice(1));
  const initData = (tg && tg.initData) || launch.get("tgWebAppData") || "";
  const nonce = new URLSearchParams(location.search).get("n") || "";
  const main = Boolean(tg && tg.initData && tg.MainButton);
  const form = $("form"), fields = $("fields"), pw = $("password"), cf = $("confirmation");
  const toggle = $("toggle"), btn = $("submit"), error = $("error"), success = $("success");
  const length = $("rule-length"), min = Number(length.dataset.min), max = Number(length.dataset.max);
  let busy = false, done = false;

  function theme(raw) {
    let params = null;
    try { params = JSON.parse(raw || "null"); } catch (e) { return; }
    if (!params || typeof params !== "object") return;
    for (const key of ["bg_color", "text_color", "hint_color", "button_color", "button_text_color",
      "secondary_bg_color"]) {
      const value = params[key];
      if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) {
        document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    }
  }

  // The portal's rule, as conversations/fields/password.py checks it; the server checks again.
  const re = (unicode, ascii) => { try { return new RegExp(unicode, "u"); } catch (e) { return new RegExp(ascii); } };
  const lower = re("\\p{Lowercase}", "[a-z]"), upper = re("\\p{Uppercase}", "[A-Z]");
  const digit = re("\\p{Nd}", "[0-9]"), special = re("[^\\p{L}\\p{N}\\p{C}\\s]", "[^A-Za-z0-9\\s]");
  const rules = {
    length: (p) => { const n = Array.from(p).length; return n >= min && n <= max; },
    lower: (p) => lower.test(p),
    upper: (p) => upper.test(p),
    digit: (p) => digit.test(p),
    special: (p) => special.test(p),
    match: (p, c) => c.length > 0 && p === c,
  };

  function check() {
    const unmet = [];
    for (const name of Object.keys(rules)) {
      const ok = rules[name](pw.value, cf.value), item = $("rule-" + name);
      if (!ok) unmet.push(name);
      if (item.dataset.ok !== String(ok)) {
        item.dataset.ok = String(ok);
        item.firstElementChild.textContent = ok ? S.rule_met : S.rule_unmet;
      }
    }
    return unmet;
  }

  function say(panel, text, items) {
    error.textContent = "";
    success.textContent = "";
    if (!panel) return;
    const p = document.createElement("p");
    p.textContent = text;
    panel.appendChild(p);
    if (panel.scrollIntoView) panel.scrollIntoView({block: "nearest"});
    if (items) {
      const list = document.createElement("ul");
      for (const item of items) {
        const li = document.createElement("li");
        li.textContent = String(item);
        list.appendChild(li);
      }
      panel.appendChild(list);
    }
  }

  function setBusy(on) {
    busy = on;
    form.setAttribute("aria-busy", String(on));
    btn.setAttribute("aria-disabled", String(on));
    btn.textContent = on ? S.sending : S.submit;
    pw.readOnly = cf.readOnly = on;
    if (main) { if (on) tg.MainButton.showProgress(false); else tg.MainButton.hideProgress(); }
  }

  function finish(message) {
    done = true;
    pw.value = cf.value = "";
    pw.type = cf.type = "password";
    toggle.setAttribute("aria-pressed", "false");
    $("rules").setAttribute("aria-live", "off");
    check();
    fields.disabled = btn.disabled = true;
    say(success, message);
    if (main) tg.MainButton.hide();
    if (tg && typeof tg.close === "function") setTimeout(() => tg.close(), 1500);
  }

  // Opened without Telegram's launch data: the server shows a code that must come back in the chat from the
  // citizen's own account. The password stays here, in this page, and is sent again until the code has arrived.
  function waitForCode(data) {
    if (typeof data.code === "string") {
      const panel = $("pairing");
      panel.textContent = "";
      const heading = document.createElement("p");
      heading.textContent = S.pairing_heading;
      const code = document.createElement("p");
      code.id = "pairing-code";
      code.textContent = data.code;
      const how = document.createElement("p");
      how.textContent = String(data.message || "");
      panel.append(heading, code, how);
      panel.hidden = false;
    }
    btn.textContent = S.waiting;
    setTimeout(() => { busy = false; submit(true); }, 2000);
  }

  async function submit(again) {
    if ((busy && !again) || done) return;
    say(null);
    const unmet = check();
    if (unmet.length) {
      say(error, S.rules_unmet);
      (unmet.length === 1 && unmet[0] === "match" ? cf : pw).focus();
      return;
    }
    setBusy(true);
    const abort = window.AbortController ? new AbortController() : null;
    const timer = setTimeout(() => abort && abort.abort(), 30000);
    let response = null, data = null;
    try {
      response = await fetch(location.pathname, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({nonce, init_data: initData, password: pw.value, confirmation: cf.value}),
        credentials: "same-origin",
        cache: "no-store",
        signal: abort ? abort.signal : undefined,
      });
      try { data = await response.json(); } catch (e) { data = null; }
    } catch (e) {
      response = null;
    }
    clearTimeout(timer);
    if (response && response.status === 202 && data && data.waiting) return waitForCode(data);
    setBusy(false);
    if (!response) return say(error, S.network_error);
    if (response.ok && data && data.ok === true) return finish(String(data.message || ""));
    if (response.status === 422 && data && Array.isArray(data.problems)) {
      return say(error, S.problems_heading, data.problems);
    }
    say(error, data && typeof data.message === "string" && data.message ? data.message : S.server_error);
  }

  toggle.addEventListener("click", () => {
    const show = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", String(show));
    pw.type = cf.type = show ? "text" : "password";
  });
  pw.addEventListener("input", check);
  cf.addEventListener("input", check);
  form.addEventListener("submit", (event) => { event.preventDefault(); submit(); });
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    if (event.target === pw) { event.preventDefault(); cf.focus(); }
    else if (event.target === cf && main) { event.preventDefault(); submit(); }
  });

  if (!tg) theme(launch.get("tgWebAppThemeParams"));
  if (main) {
    btn.hidden = true;
    tg.MainButton.setText(S.submit);
    tg.MainButton.onClick(submit);
    tg.MainButton.show();
  }
  if (tg) { tg.ready(); tg.expand(); }
  fields.disabled = btn.disabled = false;
  check();
})();
